using Microsoft.Extensions.Options;
using OptOutGate.Engine;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Owns the process's <see cref="GateEngine"/>. Start-up opens it in the background (recovery: newest checkpoint, then
/// the log tail) while Kestrel already listens, so health answers NOT_SERVING and every gate call UNAVAILABLE until the
/// state is whole; only then, and once the host has started, readiness turns Serving. Shutdown disposes the engine
/// (final checkpoint) in <see cref="StoppedAsync"/>, after Kestrel has drained the in-flight calls.
/// </summary>
internal sealed partial class GateEngineHost(
    IOptions<GateServerOptions> serverOptions,
    GateEngineOptions engineOptions,
    ServerReadiness readiness,
    TenantRegistry tenants,
    ReplicationOptions replication,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedLifecycleService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<GateEngineHost>();
    private readonly CancellationTokenSource _stopping = new();
    private Task _opening = Task.CompletedTask;
    private GateEngine? _engine;
    private CheckEngine? _checks;

    /// <summary>The engine once recovery completed; null while loading or after a failed start.</summary>
    public GateEngine? Engine => Volatile.Read(ref _engine);

    /// <summary>The check path over <see cref="Engine"/>; null until it is open.</summary>
    public CheckEngine? Checks => Volatile.Read(ref _checks);

    /// <summary>
    /// The engine, for a call that needs it: UNAVAILABLE while it loads, and once its applier has failed (the process is
    /// then stopping, and the state the engine holds may be behind its log). The readiness interceptor refuses such
    /// calls before they start; this guards those already past it.
    /// </summary>
    public GateEngine Require()
    {
        var engine = Engine ?? throw Refusals.Unavailable(Refusals.Loading);
        return engine.Applier.Fault is null ? engine : throw Refusals.Unavailable(Refusals.Faulted);
    }

    /// <summary>
    /// The check path, UNAVAILABLE while the engine loads. A failed applier needs no second read here:
    /// <see cref="CheckEngine.CheckAsync"/> answers it itself (<see cref="EngineError.StoppedApplying"/>, the same wording).
    /// </summary>
    public CheckEngine RequireChecks() => Checks ?? throw Refusals.Unavailable(Refusals.Loading);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _opening = Task.Run(OpenAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service stopped, Kestrel included: no call can reach the engine any more.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _opening;
        }
        catch (OperationCanceledException)
        {
            // Shut down while loading.
        }

        var engine = Interlocked.Exchange(ref _engine, null);
        Volatile.Write(ref _checks, null);
        if (engine is not null)
        {
            var sequence = engine.Applier.AppliedSequence;
            await engine.DisposeAsync();
            LogClosed(_logger, sequence);
        }

        _stopping.Dispose();
    }

    private async Task OpenAsync()
    {
        var options = engineOptions;
        options.DataDirectory = serverOptions.Value.DataDirectory;
        LogOpening(_logger, Path.GetFullPath(options.DataDirectory));

        // The check path's numbering-plan automaton, built from libphonenumber's metadata beside the recovery, so the
        // first check does not pay for it.
        var plans = Task.Run(BuildNumberingPlans, CancellationToken.None);
        GateEngine engine;
        try
        {
            engine = await GateEngine.OpenAsync(options, loggerFactory, time, _stopping.Token);
            await plans;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (DataDamagedException e)
        {
            // Not a reason to exit: a restart would find the same damage. The process stays up, NOT_SERVING, with the
            // damage in its log and in every refusal, until an operator re-seeds the node or cuts the log.
            LogRefusing(_logger, e.Message);
            readiness.MarkDamaged(e.Message);
            return;
        }
#pragma warning disable CA1031 // Any failure to recover is fatal for this process: log it and stop with an error code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogOpenFailed(_logger, e.Message, ExitCodes.Fatal, e);
            StopWithFailure();
            return;
        }

        // Checked against the data, so only here: an account moved onto a shared list must not leave entries behind.
        var conflicts = tenants.ListConflicts(account => engine.Scopes.TryGetTenantId(account, out _));
        if (conflicts.Count != 0)
        {
            foreach (var conflict in conflicts)
            {
                LogListConflict(_logger, conflict, ExitCodes.Configuration);
            }

            await StopForConfigurationAsync(engine);
            return;
        }

        if (!await MoveAccountListsAsync(engine))
        {
            return;
        }

        Volatile.Write(ref _checks, new CheckEngine(engine, time));
        Volatile.Write(ref _engine, engine);
        LogOpened(_logger, engine.Applier.AppliedSequence, engine.Index.Count);
        _ = WatchForFailureAsync(engine);
        _ = WatchForDamageAsync(engine);

        // Serving needs both: the state (here) and the listeners (ApplicationStarted). MarkServing never leaves Draining.
        if (lifetime.ApplicationStarted.IsCancellationRequested)
        {
            readiness.MarkServing();
        }
        else
        {
            lifetime.ApplicationStarted.Register(static state => ((ServerReadiness)state!).MarkServing(), readiness);
        }
    }

    private void BuildNumberingPlans()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var states = NumberingPlan.Table.StateCount;
        var how = NumberingPlan.TableWasStored ? "read from the stored table" : "built from the metadata (the stored table is for another libphonenumber build)";
        LogNumberingPlans(_logger, states, how, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(EventId = EventIds.Readiness + 7, EventName = "NumberingPlans", Level = LogLevel.Information, Message = "Numbering plans (libphonenumber metadata) ready: {States} automaton states, {How} in {Milliseconds} ms")]
    private static partial void LogNumberingPlans(ILogger logger, int states, string how, long milliseconds);

    /// <summary>A failure of the running engine ends the process with <see cref="ExitCodes.Fatal"/>, so that its supervisor restarts it.</summary>
    private async Task WatchForFailureAsync(GateEngine engine)
    {
        var failure = await engine.Failure;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Stopping already (a fault seen while closing is not a reason to report failure).
            return;
        }

        LogEngineFailed(_logger, failure.Message, ExitCodes.Fatal, failure);
        StopWithFailure();
    }

    /// <summary>Damage found later where the checks depend on it turns the gate NOT_SERVING for good (GateEngine.DamageUnderChecks).</summary>
    private async Task WatchForDamageAsync(GateEngine engine)
    {
        var damage = await engine.DamageUnderChecks;
        LogRefusing(_logger, damage.Message);
        readiness.MarkDamaged(damage.Message);
    }

    private void StopWithFailure()
    {
        Environment.ExitCode = ExitCodes.Fatal;
        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = EventIds.Readiness + 1, EventName = "Opening", Level = LogLevel.Information, Message = "Opening the gate engine in {DataDirectory}")]
    private static partial void LogOpening(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = EventIds.Readiness + 2, EventName = "Opened", Level = LogLevel.Information, Message = "Gate engine open: applied sequence {Sequence}, {Entries} index entries")]
    private static partial void LogOpened(ILogger logger, ulong sequence, long entries);

    [LoggerMessage(EventId = EventIds.Readiness + 3, EventName = "OpenFailed", Level = LogLevel.Critical, Message = "The gate engine could not be opened ({Reason}); stopping with exit code {ExitCode}")]
    private static partial void LogOpenFailed(ILogger logger, string reason, int exitCode, Exception exception);

    [LoggerMessage(EventId = EventIds.Readiness + 5, EventName = "EngineFailed", Level = LogLevel.Critical, Message = "The gate engine failed while running ({Reason}); stopping with exit code {ExitCode} so that the process restarts and recovers from its data")]
    private static partial void LogEngineFailed(ILogger logger, string reason, int exitCode, Exception exception);

    [LoggerMessage(EventId = EventIds.Readiness + 8, EventName = "ListConflict", Level = LogLevel.Critical, Message = "{Conflict} Stopping with exit code {ExitCode}.")]
    private static partial void LogListConflict(ILogger logger, string conflict, int exitCode);

    [LoggerMessage(EventId = EventIds.Readiness + 6, EventName = "Refusing", Level = LogLevel.Critical, Message = "The gate refuses to serve (health NOT_SERVING, every call but health UNAVAILABLE): {Damage}")]
    private static partial void LogRefusing(ILogger logger, string damage);

    [LoggerMessage(EventId = EventIds.Readiness + 4, EventName = "Closed", Level = LogLevel.Information, Message = "Gate engine closed at applied sequence {Sequence}")]
    private static partial void LogClosed(ILogger logger, ulong sequence);
}
