using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Decisions;

// After the verdicts: the CONFIRMATION windows a batch allowed are spent with one durable write (the ALLOWED verdicts
// stand only for the uses the pipeline granted), and explanations get their entries' records.
internal sealed partial class CheckEngine
{
    private ConfirmationState WindowState(in CheckScopes scopes, ulong recipient, DateTime now)
    {
        if (scopes.SenderScopeId == 0 || !_config.TryGetConfirmationWindow(scopes.TenantId, scopes.SenderScopeId, recipient, out var window))
        {
            return ConfirmationState.None;
        }

        if (window.IsOpenAt(now))
        {
            return ConfirmationState.Open;
        }

        return window.Used && now < window.ExpireTime ? ConfirmationState.Used : ConfirmationState.None;
    }

    private async ValueTask<CheckResult> SpendConfirmationsAsync(
        CheckQuery query,
        ReadOnlyMemory<ulong> recipients,
        Memory<Verdict> verdicts,
        CheckResult result,
        int confirmations,
        ExplainState? explain,
        IList<Explanation>? explanations,
        CancellationToken ct)
    {
        // For a CONFIRMATION the only ALLOWED verdicts are window uses (a bypass never applies to it).
        var indexes = new int[confirmations];
        var numbers = new ulong[confirmations];
        var k = 0;
        var span = verdicts.Span;
        var all = recipients.Span;
        for (var i = 0; i < all.Length && k < confirmations; i++)
        {
            if (span[i] == Verdict.Allowed)
            {
                indexes[k] = i;
                numbers[k++] = all[i];
            }
        }

        var counts = result.Counts;
        var sequence = result.Sequence;
        if (_writes is null)
        {
            for (k = 0; k < confirmations; k++)
            {
                verdicts.Span[indexes[k]] = Verdict.BlockedConfirmation;
                counts.Move(Verdict.Allowed, Verdict.BlockedConfirmation);
            }
        }
        else
        {
            WriteResult write;
            try
            {
                write = await _writes.WriteAsync(
                    new ConfirmationUseRequest { TenantId = query.Tenant, ActorKeyId = query.ActorKeyId, Sender = query.Sender, Recipients = numbers },
                    ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A replica spends no window (the primary does), and a use that is not durable is no use: never ALLOWED.
                return CheckResult.Failed(EngineError.OfWriteFailure(e));
            }

            for (k = 0; k < confirmations; k++)
            {
                if (write.Items[k].Outcome != WriteOutcome.ConfirmationGranted)
                {
                    verdicts.Span[indexes[k]] = Verdict.BlockedConfirmation;
                    counts.Move(Verdict.Allowed, Verdict.BlockedConfirmation);
                    explain?.Record(indexes[k], new Decision(Verdict.BlockedConfirmation, default), default);
                }
            }

            // The granted uses are part of the state this answer reflects: a client passing this sequence as
            // min_sequence sees them.
            sequence = Math.Max(sequence, write.Sequence);
        }

        explain?.Build(this, query, recipients.Span, verdicts.Span, explanations!);
        if (explain is not null && _log is not null)
        {
            await ExplanationText.CompleteAsync(_log, explanations!, query.Type, ct).ConfigureAwait(false);
        }

        return new CheckResult(counts, sequence);
    }

    private async ValueTask<CheckResult> CompleteExplanationsAsync(CheckQuery query, CheckResult result, IList<Explanation> explanations, CancellationToken ct)
    {
        if (_log is not null)
        {
            await ExplanationText.CompleteAsync(_log, explanations, query.Type, ct).ConfigureAwait(false);
        }

        return result;
    }
}
