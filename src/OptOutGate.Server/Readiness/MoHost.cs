using Microsoft.Extensions.Options;
using OptOutGate.Engine;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Mo.Keywords;
using Grpc.Core;
using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Owns the MO ledger of the process (<see cref="MoLedgerFollower"/> over the engine): starts it as soon as the engine
/// is open (readiness Serving, or the first MO call), and saves its snapshot at shutdown, after Kestrel drained the
/// calls and before the engine closes (it is registered after the engine host, so it stops first).
/// </summary>
internal sealed class MoHost(
    GateEngineHost engineHost,
    ServerReadiness readiness,
    IOptions<GateServerOptions> serverOptions,
    MoOptions options,
    MoMetrics metrics,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedLifecycleService
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly KeywordSetCache _keywords = new();
    private Task<MoProcessor>? _starting;
    private MoLedgerFollower? _follower;

    public MoOptions Options { get; } = options;

    /// <summary>The processor once the engine is open and the ledger caught up; UNAVAILABLE while the engine loads.</summary>
    public async ValueTask<(GateEngine Engine, MoProcessor Processor)> RequireAsync(CancellationToken ct)
    {
        var engine = engineHost.Require();
        var starting = Start(engine);
        if (starting.IsCompletedSuccessfully)
        {
            return (engine, starting.Result);
        }

        try
        {
            return (engine, await starting.WaitAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "OptOutGate could not load its MO state (see its log): " + e.Message));
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Changed += OnReadinessChanged;
        if (readiness.IsServing && engineHost.Engine is { } engine)
        {
            Start(engine);
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        readiness.Changed -= OnReadinessChanged;
        await _stopping.CancelAsync();
        Task<MoProcessor>? starting;
        lock (_lock)
        {
            starting = _starting;
        }

        if (starting is not null)
        {
            try
            {
                await starting;
            }
#pragma warning disable CA1031 // Stopped while loading, or loading failed (logged by the caller that saw it).
            catch (Exception)
#pragma warning restore CA1031
            {
                return;
            }

            if (Volatile.Read(ref _follower) is { } follower)
            {
                await follower.DisposeAsync();
            }
        }
    }

    private void OnReadinessChanged(ReadinessState state)
    {
        if (state == ReadinessState.Serving && engineHost.Engine is { } engine)
        {
            Start(engine);
        }
    }

    private Task<MoProcessor> Start(GateEngine engine)
    {
        lock (_lock)
        {
            return _starting ??= Task.Run(() => OpenAsync(engine), CancellationToken.None);
        }
    }

    private async Task<MoProcessor> OpenAsync(GateEngine engine)
    {
        var directory = Path.Combine(Path.GetFullPath(serverOptions.Value.DataDirectory), "mo");
        var follower = await MoLedgerFollower.StartAsync(engine, directory, Options, loggerFactory.CreateLogger<MoLedgerFollower>(), time, _stopping.Token);
        Volatile.Write(ref _follower, follower);
        metrics.ObserveReviewQueue(follower.Ledger.ReviewQueueStats);
        return new MoProcessor(engine, follower.Ledger, _keywords, metrics, time);
    }
}
