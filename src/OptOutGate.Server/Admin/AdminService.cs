using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Writes;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Engine;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Admin;

/// <summary>
/// optoutgate.v1.Admin, issue #3 part: configuration, the opt-out/suppression/bypass API, history, lists and exports.
/// The tenant of every read and write is the call's <see cref="Tenancy.CallIdentity"/>, never a request field; every
/// change goes through the engine's <see cref="WritePipeline"/>, so it is durable, in the history and (issue #5)
/// replicated. The MO-side RPCs (ImportOptOuts, ReportProviderError, removal requests, review queue) are left unbound
/// and answer UNIMPLEMENTED naming issue #4.
/// </summary>
internal sealed partial class AdminService(GateEngineHost engineHost, TimeProvider time)
{
    /// <param name="bindMore">Binds further Admin methods (the MO workflows of issue #4, Server/Workflow) before the definition is built.</param>
    public static ServiceDefinition CreateDefinition(AdminService service, Action<ServiceDefinitionBuilder, ServiceDescriptor>? bindMore = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        var d = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");
        var builder = ServiceDefinition.CreateBuilder(d)
            .WithUnimplementedMessage("{0} is not implemented yet in this build of OptOutGate; it arrives with issue #4 (MO handling and workflows).")
            .AddUnary<PutInboundAddressRequest, InboundAddress>(d.FindMethodByName("PutInboundAddress"), service.PutInboundAddressAsync)
            .AddUnary<GetInboundAddressRequest, InboundAddress>(d.FindMethodByName("GetInboundAddress"), service.GetInboundAddressAsync)
            .AddUnary<ListInboundAddressesRequest, ListInboundAddressesResponse>(d.FindMethodByName("ListInboundAddresses"), service.ListInboundAddressesAsync)
            .AddUnary<DeleteInboundAddressRequest, DeleteInboundAddressResponse>(d.FindMethodByName("DeleteInboundAddress"), service.DeleteInboundAddressAsync)
            .AddUnary<GetTenantPolicyRequest, TenantPolicy>(d.FindMethodByName("GetTenantPolicy"), service.GetTenantPolicyAsync)
            .AddUnary<UpdateTenantPolicyRequest, TenantPolicy>(d.FindMethodByName("UpdateTenantPolicy"), service.UpdateTenantPolicyAsync)
            .AddUnary<PutBlockingRuleRequest, BlockingRule>(d.FindMethodByName("PutBlockingRule"), service.PutBlockingRuleAsync)
            .AddUnary<ListBlockingRulesRequest, ListBlockingRulesResponse>(d.FindMethodByName("ListBlockingRules"), service.ListBlockingRulesAsync)
            .AddUnary<DeleteBlockingRuleRequest, DeleteBlockingRuleResponse>(d.FindMethodByName("DeleteBlockingRule"), service.DeleteBlockingRuleAsync)
            .AddUnary<AddOptOutsRequest, AddOptOutsResponse>(d.FindMethodByName("AddOptOuts"), service.AddOptOutsAsync)
            .AddUnary<RemoveOptOutsRequest, RemoveOptOutsResponse>(d.FindMethodByName("RemoveOptOuts"), service.RemoveOptOutsAsync)
            .AddUnary<CheckOptOutsRequest, CheckOptOutsResponse>(d.FindMethodByName("CheckOptOuts"), service.CheckOptOutsAsync)
            .AddUnary<AddSuppressionsRequest, AddSuppressionsResponse>(d.FindMethodByName("AddSuppressions"), service.AddSuppressionsAsync)
            .AddUnary<RemoveSuppressionsRequest, RemoveSuppressionsResponse>(d.FindMethodByName("RemoveSuppressions"), service.RemoveSuppressionsAsync)
            .AddUnary<AddBypassesRequest, AddBypassesResponse>(d.FindMethodByName("AddBypasses"), service.AddBypassesAsync)
            .AddUnary<RemoveBypassesRequest, RemoveBypassesResponse>(d.FindMethodByName("RemoveBypasses"), service.RemoveBypassesAsync)
            .AddUnary<ListEntriesRequest, ListEntriesResponse>(d.FindMethodByName("ListEntries"), service.ListEntriesAsync)
            .AddServerStreaming<ExportEntriesRequest, CsvChunk>(d.FindMethodByName("ExportEntries"), service.ExportEntriesAsync)
            .AddUnary<ListHistoryRequest, ListHistoryResponse>(d.FindMethodByName("ListHistory"), service.ListHistoryAsync)
            .AddServerStreaming<ExportHistoryRequest, CsvChunk>(d.FindMethodByName("ExportHistory"), service.ExportHistoryAsync)
            .AddUnary<CheckAtTimeRequest, CheckAtTimeResponse>(d.FindMethodByName("CheckAtTime"), service.CheckAtTimeAsync);
        bindMore?.Invoke(builder, d);
        return builder.Build();
    }

    private GateEngine RequireEngine()
    {
        var engine = engineHost.Engine
            ?? throw new RpcException(StatusCode.Unavailable, "OptOutGate is loading its state and not serving yet; retry shortly.");
        if (engine.Applier.Fault is not null)
        {
            throw new RpcException(StatusCode.Unavailable, "OptOutGate stopped applying changes (see its log); it serves no reads from a stale state.");
        }

        return engine;
    }

    private static async Task<WriteResult> WriteAsync(GateEngine engine, WriteRequest request, CancellationToken ct)
    {
        try
        {
            return await engine.Writes.WriteAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw AdminErrors.FromWriteFailure(e);
        }
    }
}
