using Microsoft.Extensions.Options;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Webhooks;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Readiness;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Runs the webhook deliveries of a primary (registered only there: a replica never delivers). Once the engine serves, it
/// keeps one <see cref="WebhookWorker"/> per subscription in step with the configuration (the applier reports every
/// subscription change), fsyncs the cursors every <see cref="WebhookOptions.CursorFlushInterval"/>, records their
/// progress in the change log every <see cref="WebhookOptions.ProgressInterval"/> (<see cref="WebhookProgressRecorder"/>), and stops the
/// workers (flushing the cursors) before the engine closes.
/// </summary>
internal sealed class WebhookDispatcher(
    GateEngineHost engineHost,
    ServerReadiness readiness,
    IOptions<GateServerOptions> serverOptions,
    WebhookOptions options,
    WebhookSender sender,
    WebhookMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<WebhookDispatcher>();
    private readonly SemaphoreSlim _changing = new(1, 1);
    private readonly Dictionary<(string Tenant, string Id), WebhookWorker> _workers = [];
    private readonly CancellationTokenSource _stopping = new();
    private GateEngine? _engine;
    private WebhookCursorStore? _cursors;
    private Task _flushing = Task.CompletedTask;
    private int _begun;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Changed += OnReadiness;
        if (readiness.IsServing)
        {
            _ = BeginAsync();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.Changed -= OnReadiness;
        await _stopping.CancelAsync();
        await _changing.WaitAsync(CancellationToken.None);
        try
        {
            if (_engine is { } engine)
            {
                engine.Config.WebhookSubscriptionChanged -= OnSubscriptionChanged;
            }

            foreach (var worker in _workers.Values)
            {
                await worker.StopAsync();
            }

            _workers.Clear();
            await _flushing;
            _cursors?.Dispose();
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>The delivery status of a subscription, or null when this node runs no worker for it (yet).</summary>
    public WebhookDeliveryStatus? StatusOf(string tenant, string id)
    {
        lock (_workers)
        {
            return _workers.TryGetValue((tenant, id), out var worker) ? worker.Status(_engine?.Log.LastSequence ?? 0) : null;
        }
    }

    /// <summary>Delivers again from <paramref name="fromSequence"/> and ends FAILING. False when the node runs no worker for it.</summary>
    public async Task<bool> ReplayAsync(string tenant, string id, ulong fromSequence)
    {
        await _changing.WaitAsync(_stopping.Token);
        try
        {
            WebhookWorker? worker;
            lock (_workers)
            {
                _workers.TryGetValue((tenant, id), out worker);
            }

            if (worker is null)
            {
                return false;
            }

            await worker.ReplayAsync(fromSequence);
            return true;
        }
        finally
        {
            _changing.Release();
        }
    }

    private void OnReadiness(ReadinessState state)
    {
        if (state == ReadinessState.Serving)
        {
            _ = BeginAsync();
        }
    }

    private async Task BeginAsync()
    {
        if (Interlocked.Exchange(ref _begun, 1) != 0 || engineHost.Engine is not { } engine)
        {
            return;
        }

        await _changing.WaitAsync(_stopping.Token);
        try
        {
            _engine = engine;
            _cursors = new WebhookCursorStore(serverOptions.Value.DataDirectory);
            engine.Config.WebhookSubscriptionChanged += OnSubscriptionChanged;
            metrics.Observe(Observed);

            // Cursors of subscriptions deleted while this node was down.
            foreach (var id in _cursors.StoredIds())
            {
                if (!IsSubscription(engine, id))
                {
                    _cursors.Delete(id);
                }
            }

            foreach (var (key, _) in engine.Config.WebhookSubscriptions)
            {
                await ReconcileLockedAsync(key.Tenant, key.Id);
            }

            _flushing = Task.WhenAll(
                FlushAsync(_cursors, _stopping.Token),
                new WebhookProgressRecorder(engine, options, time).RunAsync(Delivered, _stopping.Token));
            WebhookLog.DispatcherStarted(_logger, _workers.Count);
        }
        finally
        {
            _changing.Release();
        }
    }

    private static bool IsSubscription(GateEngine engine, string id)
    {
        foreach (var (key, _) in engine.Config.WebhookSubscriptions)
        {
            if (key.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    // Raised on the applier's thread: the work goes elsewhere so applying never waits for a worker to stop.
    private void OnSubscriptionChanged(string tenant, string id) => _ = Task.Run(() => ReconcileAsync(tenant, id));

    private async Task ReconcileAsync(string tenant, string id)
    {
        try
        {
            await _changing.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            await ReconcileLockedAsync(tenant, id);
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task ReconcileLockedAsync(string tenant, string id)
    {
        if (_engine is not { } engine || _cursors is not { } cursors || _stopping.IsCancellationRequested)
        {
            return;
        }

        WebhookWorker? worker;
        lock (_workers)
        {
            _workers.TryGetValue((tenant, id), out worker);
        }

        if (!engine.Config.TryGetWebhookSubscription(tenant, id, out var subscription))
        {
            if (worker is not null)
            {
                await worker.StopAsync();
                lock (_workers)
                {
                    _workers.Remove((tenant, id));
                }
            }

            cursors.Delete(id);
            return;
        }

        if (worker is null)
        {
            worker = new WebhookWorker(tenant, id, engine, cursors, sender, options, metrics, time, _logger);
            lock (_workers)
            {
                _workers[(tenant, id)] = worker;
            }

            worker.Start();
        }
        else if (worker.StartedPaused != subscription.Subscription.Paused)
        {
            // Paused or resumed: a resumed worker catches up from its cursor.
            await worker.StopAsync();
            worker.Start();
        }
    }

    private List<(string Tenant, string Id, ulong Delivered)> Delivered()
    {
        lock (_workers)
        {
            var delivered = new List<(string, string, ulong)>(_workers.Count);
            foreach (var worker in _workers.Values)
            {
                delivered.Add((worker.Tenant, worker.Id, worker.DeliveredSequence));
            }

            return delivered;
        }
    }

    private IEnumerable<(string Tenant, string Id, bool Failing, long Behind)> Observed()
    {
        var committed = _engine?.Log.LastSequence ?? 0;
        List<WebhookWorker> workers;
        lock (_workers)
        {
            workers = [.. _workers.Values];
        }

        foreach (var worker in workers)
        {
            var delivered = worker.DeliveredSequence;
            yield return (worker.Tenant, worker.Id, worker.Failing, committed > delivered ? (long)(committed - delivered) : 0);
        }
    }

    private async Task FlushAsync(WebhookCursorStore cursors, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.CursorFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                cursors.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: StopAsync flushes once more as it disposes the store.
        }
    }
}
