using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Infrastructure;

/// <summary>Writes through the real pipeline with any tenant, sender and kind, for history tests.</summary>
internal static class HistoryWrites
{
    public static async Task<ulong> WriteAsync(
        this GateEngine engine,
        string tenant,
        string sender,
        EntryKind kind,
        EntryWriteOperation operation,
        string[] recipients,
        byte mask = 0,
        Scope scope = Scope.Sender,
        string app = "",
        bool @override = false,
        string reason = "test")
    {
        var result = await engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = tenant,
            Operation = operation,
            Kind = kind,
            Scope = scope,
            Sender = scope == Scope.Tenant ? "" : sender,
            App = app,
            Recipients = recipients,
            SmsTypeMask = mask,
            Source = kind == EntryKind.OptOut ? Source.Api : Source.Admin,
            Reason = reason,
            Override = @override,
            ActorKeyId = "key-1",
        }, CancellationToken.None);
        return result.Sequence;
    }

    public static Task<ulong> OptOutAsync(this GateEngine engine, string tenant, string sender, params string[] recipients) =>
        engine.WriteAsync(tenant, sender, EntryKind.OptOut, EntryWriteOperation.Add, recipients);

    public static Task<ulong> RemoveAsync(this GateEngine engine, string tenant, string sender, params string[] recipients) =>
        engine.WriteAsync(tenant, sender, EntryKind.OptOut, EntryWriteOperation.Remove, recipients);

    public static async Task<ulong> PutConfigAsync(this GateEngine engine, string tenant, ConfigChange change, bool delete = false)
    {
        var result = await engine.Writes.WriteAsync(new ConfigWriteRequest { TenantId = tenant, Change = change, Delete = delete }, CancellationToken.None);
        Assert.Equal(WriteOutcome.Written, result.Items[0].Outcome);
        return result.Sequence;
    }

    public static Task<ulong> PutAddressAsync(this GateEngine engine, string tenant, string sender) =>
        engine.PutConfigAsync(tenant, new ConfigChange { InboundAddress = new InboundAddress { Sender = sender } });

    public static Task<ulong> PutRuleAsync(this GateEngine engine, string tenant, string sender, string app, params SmsType[] types)
    {
        var rule = new BlockingRule { Sender = sender, App = app };
        rule.BlockedSmsTypes.AddRange(types);
        return engine.PutConfigAsync(tenant, new ConfigChange { BlockingRule = rule });
    }
}
