namespace OptOutGate.Engine.Storage.State;

/// <summary>A <see cref="ScopeName"/> over spans, so the check path can look up a scope without allocating strings.</summary>
internal readonly ref struct ScopeNameSpan(uint tenantId, ReadOnlySpan<char> sender, ReadOnlySpan<char> app)
{
    public uint TenantId { get; } = tenantId;

    public ReadOnlySpan<char> Sender { get; } = sender;

    public ReadOnlySpan<char> App { get; } = app;
}
