using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Key of a recipient's history head: the tenant id and the recipient's E.164 digits. Packed (12 bytes), so that a
/// <see cref="SingleWriterMap{TKey, TValue}"/> slot of it and a sequence is 24 bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct RecipientHeadKey(uint TenantId, ulong Recipient) : ISingleWriterMapKey<RecipientHeadKey>
{
    public ulong Hash64() => SingleWriterMapHash.Mix(Recipient, TenantId);
}
