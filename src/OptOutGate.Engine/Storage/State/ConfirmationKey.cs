using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Key of a confirmation window: the recipient and the interned (tenant, sender, "") scope, with the tenant id
/// repeated for the same reason <see cref="Index.EntryKey"/> repeats it. Packed to 4-byte alignment, so that a
/// <see cref="SingleWriterMap{TKey, TValue}"/> slot of it is 36 bytes (10 million of them after a large import).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct ConfirmationKey(ulong Recipient, uint SenderScopeId, uint TenantId) : ISingleWriterMapKey<ConfirmationKey>
{
    public ulong Hash64() => SingleWriterMapHash.Mix(Recipient, ((ulong)TenantId << 32) | SenderScopeId);
}
