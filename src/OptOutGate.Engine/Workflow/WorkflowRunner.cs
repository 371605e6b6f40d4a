using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Workflow;

/// <summary>Runs a <see cref="WorkflowDecision"/> through the write pipeline and folds what it wrote into the ledger.</summary>
internal static class WorkflowRunner
{
    /// <summary>
    /// Completes when the decision's records are durable, applied and folded (so a read right after sees them). The write
    /// is not tied to <paramref name="ct"/>: a decision taken is written either way. Write failures are rethrown.
    /// </summary>
    public static async Task RunAsync(GateEngine engine, MoLedger ledger, WorkflowDecision decision, string tenant, string actorKeyId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(decision);
        var request = new RecordWriteRequest { TenantId = tenant, ActorKeyId = actorKeyId, Build = RecordWriteRequest.Sync(decision.Build) };
        _ = WriteAsync(engine, ledger, decision, request);
        await decision.Ticket.Done.WaitAsync(ct);
    }

    private static async Task WriteAsync(GateEngine engine, MoLedger ledger, WorkflowDecision decision, RecordWriteRequest request)
    {
        try
        {
            await engine.Writes.WriteAsync(request, CancellationToken.None);
            ledger.Complete(decision.Ticket, decision.Written, new SeenMo(decision.LastRecord?.Sequence ?? 0, 0, default));
        }
#pragma warning disable CA1031 // The waiting caller gets the failure through the ticket.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ledger.Abort(decision.Ticket, e);
        }
    }
}
