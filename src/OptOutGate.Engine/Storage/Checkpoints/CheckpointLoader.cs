using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Storage.Checkpoints;

/// <summary>
/// Loads one checkpoint: the entry index, the configuration (with the confirmation windows) and the history heads are
/// independent files, so they load at the same time, each on a thread of its own, and a fourth checks every file
/// against the checksums in the manifest. At 10 million entries each takes
/// about a second or more (FASTER's pages and hash table; 10 million windows; 10 million heads), and recovering the
/// index waits on disk reads part of the time, so a restart takes about as long as the slowest of them instead of their sum.
/// </summary>
internal static class CheckpointLoader
{
    /// <summary>The state as of <paramref name="manifest"/>; throws what the first failing part threw (nothing stays open then).</summary>
    /// <exception cref="DataDamagedException">A file of the checkpoint is not what it wrote (<see cref="CheckpointChecksums"/>).</exception>
    public static (EntryIndex Index, ScopeTable Scopes, GateConfig Config, HistoryHeads Heads) Load(
        CheckpointManifest manifest, string data, EntryIndexOptions indexOptions, ILogger indexLogger, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();

        // Checked beside the loads, not before them: every file is read from the page cache twice instead of waiting
        // for the check (a quarter of a second at 10 million entries), and nothing is returned unless it passed.
        var verified = Task.Factory.StartNew(
            () => Timed(() =>
            {
                CheckpointChecksums.Verify(manifest, data, indexOptions);
                return true;
            }),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // Dedicated threads (LongRunning), not pool threads: the caller blocks until they finish, and on two cores a
        // blocked pool would wait for the pool to add threads.
        var config = Task.Factory.StartNew(
            () => Timed(() => GateConfig.Load(Path.Combine(manifest.Directory, CheckpointStore.ConfigFile))),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var heads = Task.Factory.StartNew(
            () => Timed(() => HistoryHeads.Load(Path.Combine(manifest.Directory, CheckpointStore.HeadsFile))),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        EntryIndex? index = null;
        try
        {
            var scopes = ScopeTable.Load(Path.Combine(manifest.Directory, CheckpointStore.ScopesFile));
            index = EntryIndex.Recover(indexOptions, manifest.IndexToken, indexLogger);
            var indexMs = ElapsedMs(started);
            var (loadedConfig, configMs) = config.GetAwaiter().GetResult();
            var (loadedHeads, headsMs) = heads.GetAwaiter().GetResult();
            var (_, verifyMs) = verified.GetAwaiter().GetResult();
            CheckpointLog.CheckpointLoaded(
                logger, manifest.Sequence, ElapsedMs(started), indexMs, loadedConfig.ConfirmationWindowCount, configMs, loadedHeads.RecipientCount, headsMs, verifyMs);
            return (index, scopes, loadedConfig, loadedHeads);
        }
        catch
        {
            index?.Dispose();

            // Let the other parts finish (their errors are the same checkpoint's; the first one is what is thrown).
            try
            {
                Task.WaitAll(config, heads, verified);
            }
            catch (AggregateException)
            {
            }

            throw;
        }
    }

    private static (T Value, long ElapsedMs) Timed<T>(Func<T> load)
    {
        var started = Stopwatch.GetTimestamp();
        var value = load();
        return (value, ElapsedMs(started));
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
