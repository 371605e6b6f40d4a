using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Writes;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Admin;

/// <summary>
/// optoutgate.v1.Admin, every method: configuration, the opt-out/suppression/bypass API, history, lists and exports
/// (this file and AdminService.Config, .Entries, .History, .Lists), and the MO-side workflows: removal requests and the
/// review queue (.Workflow), provider errors (.ProviderErrors) and bulk import (.Import). The tenant of every read and
/// write is the call's <see cref="CallIdentity"/>, never a request field; every change goes through the engine's
/// <see cref="WritePipeline"/>, so it is durable, in the history and replicated.
/// </summary>
internal sealed partial class AdminService(GateEngineHost engineHost, MoHost moHost, MoMetrics moMetrics, TimeProvider time)
{
    public static ServiceDefinition CreateDefinition(AdminService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var d = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");
        return ServiceDefinition.CreateBuilder(d)
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
            .AddUnary<CheckAtTimeRequest, CheckAtTimeResponse>(d.FindMethodByName("CheckAtTime"), service.CheckAtTimeAsync)
            .AddClientStreaming<ImportOptOutsRequest, ImportOptOutsResponse>(d.FindMethodByName("ImportOptOuts"), service.ImportOptOutsAsync)
            .AddUnary<ReportProviderErrorRequest, ReportProviderErrorResponse>(d.FindMethodByName("ReportProviderError"), service.ReportProviderErrorAsync)
            .AddUnary<CreateRemovalRequestRequest, RemovalRequest>(d.FindMethodByName("CreateRemovalRequest"), service.CreateRemovalRequestAsync)
            .AddUnary<GetRemovalRequestRequest, RemovalRequest>(d.FindMethodByName("GetRemovalRequest"), service.GetRemovalRequestAsync)
            .AddUnary<ListRemovalRequestsRequest, ListRemovalRequestsResponse>(d.FindMethodByName("ListRemovalRequests"), service.ListRemovalRequestsAsync)
            .AddUnary<ReviewRemovalRequestRequest, RemovalRequest>(d.FindMethodByName("ReviewRemovalRequest"), service.ReviewRemovalRequestAsync)
            .AddUnary<ListReviewQueueRequest, ListReviewQueueResponse>(d.FindMethodByName("ListReviewQueue"), service.ListReviewQueueAsync)
            .AddUnary<ResolveReviewItemRequest, ResolveReviewItemResponse>(d.FindMethodByName("ResolveReviewItem"), service.ResolveReviewItemAsync)
            .Build();
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
