using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Writes;
using Grpc.Core;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Grpc;
using AdminContract = OptOutGate.Contracts.V1.Admin;

namespace OptOutGate.Server.Admin;

/// <summary>
/// optoutgate.v1.Admin, every method: configuration, the opt-out/suppression/bypass API, history, lists and exports
/// (this file and AdminService.Config, .Entries, .History, .Lists), and the MO-side workflows: removal requests and the
/// review queue (.Workflow), provider errors (.ProviderErrors) and bulk import (.Import); webhook subscriptions
/// (.Webhooks, handled in the Webhooks folder). The tenant of every read and
/// write is the call's <see cref="CallIdentity"/>, never a request field; every change goes through the engine's
/// <see cref="WritePipeline"/>, so it is durable, in the history and replicated.
/// </summary>
internal sealed partial class AdminService(GateEngineHost engineHost, MoHost moHost, MoMetrics moMetrics, TimeProvider time, Webhooks.WebhookSubscriptions webhooks)
    : AdminContract.AdminBase
{
    private GateEngine RequireEngine() => engineHost.Require();

    private static async Task<WriteResult> WriteAsync(GateEngine engine, WriteRequest request, CancellationToken ct)
    {
        try
        {
            return await engine.Writes.WriteAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw StatusMapping.ForWriteFailure(e);
        }
    }
}
