namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The identity of a scope: (tenant, sender, app). Tenant-wide scopes have an empty sender and app; sender scopes an
/// empty app. Strings are compared ordinally (senders are case-sensitive, common.proto).
/// </summary>
internal readonly record struct ScopeName(uint TenantId, string Sender, string App);
