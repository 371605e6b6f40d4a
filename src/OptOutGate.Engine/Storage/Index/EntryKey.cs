using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The index key: 16 blittable bytes. <see cref="RecipientAndKind"/> holds the E.164 digits (below 2^50) with the
/// entry kind in the top byte; <see cref="ScopeId"/> is the interned (tenant, sender, app) scope
/// (<see cref="State.ScopeTable"/>), where a tenant-wide scope has an empty sender and app; <see cref="TenantId"/> is
/// repeated here so that no lookup can ever match another tenant's entry, even through a scope-id bug.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8, Size = 16)]
public readonly record struct EntryKey(ulong RecipientAndKind, uint ScopeId, uint TenantId)
{
    private const int KindShift = 56;
    private const ulong RecipientMask = (1UL << KindShift) - 1;

    public static EntryKey Create(EntryKind kind, ulong recipient, uint scopeId, uint tenantId) =>
        new(((ulong)kind << KindShift) | recipient, scopeId, tenantId);

    public ulong Recipient => RecipientAndKind & RecipientMask;

    public EntryKind Kind => (EntryKind)(RecipientAndKind >> KindShift);

    /// <summary>
    /// A deterministic, well-mixed 64-bit hash (FASTER keeps bucket positions in its index checkpoints, so a
    /// per-process seeded hash such as HashCode.Combine would break lookups after recovery). The mixer is the
    /// murmur3 64-bit finalizer applied to a combination of the fields.
    /// </summary>
    public long Hash64()
    {
        var h = RecipientAndKind ^ (((ulong)ScopeId << 32) | TenantId) * 0x9E3779B97F4A7C15UL;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return (long)h;
    }
}
