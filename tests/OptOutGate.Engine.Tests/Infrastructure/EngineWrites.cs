using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Infrastructure;

/// <summary>Short forms of the writes and reads tests make through a real engine.</summary>
internal static class EngineWrites
{
    public const string Tenant = "tenant-a";
    public const string Sender = "+18005550100";

    public static Task<WriteResult> AddOptOutsAsync(this GateEngine engine, params string[] recipients) =>
        engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = Tenant,
            Operation = EntryWriteOperation.Add,
            Kind = EntryKind.OptOut,
            Scope = Scope.Sender,
            Sender = Sender,
            Recipients = recipients,
            Source = Source.Api,
            ActorKeyId = "key-1",
        }, CancellationToken.None);

    public static Task<WriteResult> RemoveOptOutsAsync(this GateEngine engine, string recipient, bool @override = false, string reason = "", Source source = Source.Api) =>
        engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = Tenant,
            Operation = EntryWriteOperation.Remove,
            Kind = EntryKind.OptOut,
            Scope = Scope.Sender,
            Sender = Sender,
            Recipients = [recipient],
            Source = source,
            Reason = reason,
            Override = @override,
        }, CancellationToken.None);

    /// <summary>An MO-made record written as the MO path will: a pre-built record through the pipeline.</summary>
    public static Task<WriteResult> RecordMoAsync(this GateEngine engine, string recipient, ChangeAction action, string text) =>
        engine.Writes.WriteAsync(new RecordWriteRequest
        {
            TenantId = Tenant,
            Build = RecordWriteRequest.Sync(_ =>
            [
                new ChangeRecord
                {
                    Sender = Sender,
                    Recipient = recipient,
                    Action = action,
                    Scope = Scope.Sender,
                    Source = Source.MoKeyword,
                    MoText = text,
                    CarrierMessageId = Guid.NewGuid().ToString("N"),
                },
            ]),
        }, CancellationToken.None);

    public static bool TryGetEntry(this GateEngine engine, EntryKind kind, string recipient, string sender, string app, out EntryValue value)
    {
        value = default;
        return E164.TryParse(recipient, out var number)
            && engine.Scopes.TryGetScope(Tenant, sender, app, out var tenantId, out var scopeId)
            && engine.Index.TryGet(EntryKey.Create(kind, number, scopeId, tenantId), out value);
    }

    public static bool HasOptOut(this GateEngine engine, string recipient) =>
        engine.TryGetEntry(EntryKind.OptOut, recipient, Sender, "", out _);

    /// <summary>Every index entry with its scope resolved to names, sorted: two engines with equal state give equal lists.</summary>
    public static List<string> DescribeEntries(this GateEngine engine)
    {
        var list = new List<string>();
        foreach (var (key, value) in engine.Index.Scan())
        {
            Assert.True(engine.Scopes.TryGetScopeName(key.ScopeId, out var scope));
            Assert.True(engine.Scopes.TryGetTenantName(key.TenantId, out var tenant));
            list.Add($"{tenant}|{scope.Sender}|{scope.App}|{key.Kind}|{key.Recipient}|seq={value.Sequence}|mask={value.SmsTypeMask}|src={value.Source}|scope={key.ScopeId}");
        }

        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
