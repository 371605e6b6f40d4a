using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The confirmation window of one (tenant, sender, recipient): opened by an opt-out or opt-in record, it allows one
/// CONFIRMATION until <see cref="ExpireTime"/> (the record's receive time plus the tenant's window); a
/// CHANGE_ACTION_CONFIRMATION_SENT record marks it <see cref="Used"/>.
/// </summary>
/// <remarks>
/// 16 bytes (expiry ticks; sequence and the used flag in one word), packed to 4-byte alignment: after a
/// 10-million-entry import there are 10 million of these in <see cref="GateConfig"/>, and every byte of them is memory
/// a restart has to fill.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct ConfirmationWindowState
{
    private readonly long _expireTicks;
    private readonly ulong _sequenceAndUsed;

    /// <param name="expireTime">UTC instant the window closes (exclusive).</param>
    /// <param name="used">The one CONFIRMATION was already allowed.</param>
    /// <param name="openedBySequence">The opt-out or opt-in record that opened the window.</param>
    public ConfirmationWindowState(DateTime expireTime, bool used, ulong openedBySequence)
    {
        _expireTicks = expireTime.Ticks;
        _sequenceAndUsed = (openedBySequence << 1) | (used ? 1UL : 0UL);
    }

    /// <summary>UTC instant the window closes (exclusive).</summary>
    public DateTime ExpireTime => new(_expireTicks, DateTimeKind.Utc);

    /// <summary>The one CONFIRMATION was already allowed.</summary>
    public bool Used => (_sequenceAndUsed & 1) != 0;

    /// <summary>The opt-out or opt-in record that opened the window.</summary>
    public ulong OpenedBySequence => _sequenceAndUsed >> 1;

    /// <summary>True when a CONFIRMATION may be allowed at <paramref name="now"/>.</summary>
    public bool IsOpenAt(DateTime now) => !Used && now < ExpireTime;

    /// <summary>The same window, its CONFIRMATION allowed.</summary>
    public ConfirmationWindowState AsUsed() => new(ExpireTime, used: true, OpenedBySequence);
}
