namespace OptOutGate.Core.State;

/// <summary>
/// Key of a confirmation window: the recipient and the interned (tenant, sender, "") scope, with the tenant id
/// repeated for the same reason <see cref="Index.EntryKey"/> repeats it.
/// </summary>
internal readonly record struct ConfirmationKey(ulong Recipient, uint SenderScopeId, uint TenantId);
