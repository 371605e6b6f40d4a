using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine;

internal sealed partial class GateEngine
{
    private readonly TaskCompletionSource<DataDamagedException> _damageUnderChecks = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<(long Checked, long Damaged)> _verification = Task.FromResult((0L, 0L));

    /// <summary>
    /// Completes when a reader (or the background verification) finds a damaged change log record after the newest
    /// checkpoint: the state the checks answer from is still whole in memory, but a restart could not rebuild it, so the
    /// node must stop answering and be re-seeded. Damage at or below the checkpoint only fails the reads that meet it
    /// (history, exports, the change stream): the checks come from the checkpoint, which is verified when loaded.
    /// </summary>
    public Task<DataDamagedException> DamageUnderChecks => _damageUnderChecks.Task;

    /// <summary>
    /// The background verification of the records the opening did not read (the log up to the loaded checkpoint): records
    /// checked and found damaged. Each damaged one is logged, counted and reported as it is found.
    /// </summary>
    public Task<(long Checked, long Damaged)> Verification => _verification;

    private void OnDamageFound(DataDamagedException damage)
    {
        if (damage.Sequence > LastCheckpointSequence)
        {
            _damageUnderChecks.TrySetResult(damage);
        }
    }

    /// <summary>
    /// Starts checking the records up to <paramref name="checkpointSequence"/> in the background: opening read and
    /// checked every record after it (the replay), so those below are the only ones not yet known to be whole.
    /// </summary>
    private void StartVerification(ulong checkpointSequence)
    {
        if (checkpointSequence == 0)
        {
            return;
        }

        var token = _stopping.Token;
        _verification = Task.Factory.StartNew(
            () => Log.Verify(Log.FirstSequence, checkpointSequence, token),
            token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private async Task StopVerificationAsync()
    {
        try
        {
            await _verification;
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031 // A verification that failed for another reason has logged nothing yet: log it, do not fail the dispose.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EngineLog.VerificationFailed(_logger, e);
        }
    }

    private static DataDamagedException CheckpointAheadOfLog(CheckpointManifest manifest, ChangeLog log) =>
        new(
            $"The checkpoint in {manifest.Directory} is at sequence {manifest.Sequence}, but the change log ends at sequence {log.LastSequence}: "
            + $"committed records {log.LastSequence + 1}..{manifest.Sequence} are missing from the log (its segment files or its commit metadata "
            + "in log/active/log-commits/ were lost, cut or replaced by an older copy). They may be acknowledged opt-outs, and numbering on from "
            + $"{log.LastSequence + 1} would give sequence numbers twice, so the gate does not serve. {DataDamagedException.Remedy}.",
            manifest.Directory,
            log.LastSequence + 1);

    /// <summary>
    /// After the operator cut the log (<see cref="ChangeLog.Cut"/>): checkpoints taken before the cut at or past its first
    /// lost sequence hold the lost records' effects, and the MO ledger's snapshot may too; both go, so the state is
    /// rebuilt from what the log still holds. Idempotent until <see cref="ChangeLog.AcknowledgeCut"/> is durable.
    /// </summary>
    private static void DiscardWhatTheCutInvalidated(ChangeLog log, LogCut cut, CheckpointStore checkpoints, string data, ILogger logger)
    {
        foreach (var manifest in checkpoints.ListComplete())
        {
            if (manifest.Sequence >= cut.FirstLost && manifest.CreatedAt <= cut.At)
            {
                checkpoints.Delete(manifest);
                EngineLog.CheckpointDiscardedAfterCut(logger, manifest.Sequence, cut.FirstLost);
            }
        }

        var ledger = Path.Combine(data, DataLayout.Mo, DataLayout.MoLedgerSnapshot);
        if (File.Exists(ledger))
        {
            File.Delete(ledger);
        }

        log.AcknowledgeCut();
    }
}
