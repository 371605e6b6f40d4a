using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Webhooks;
using Polly;
using Polly.Retry;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Delivers one subscription's events: reads the committed change log from the subscription's durable cursor, picks the
/// records of its tenant and event types, POSTs them one event (or one batch) at a time, in sequence order, and moves
/// the cursor only once the receiver accepted (2xx). A failed POST is retried with exponential backoff and jitter
/// (Polly) until <see cref="WebhookOptions.MaxRetryAge"/> after its first failure; then the subscription is FAILING and
/// the worker stops until an operator replays. Each subscription has its own worker, so a slow or dead receiver holds
/// up only its own subscription, never a check, an MO or another subscription.
/// </summary>
internal sealed partial class WebhookWorker
{
    // Records read per pass over the log: bounds the memory a worker holds while it skips other tenants' records.
    private const int ScanLimit = 1_000;
    private const int MaxBatchSize = 100;

    // Events one pass over the log collects before delivering them (at least one whole batch).
    private const int EventsPerScan = MaxBatchSize;

    private readonly string _tenant;
    private readonly string _id;
    private readonly GateEngine _engine;
    private readonly WebhookCursorStore _cursors;
    private readonly WebhookSender _sender;
    private readonly WebhookOptions _options;
    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<DeliveryAttempt> _retry;
    private readonly WebhookPayload _payload = new();
    private readonly Lock _lock = new();
    private CancellationTokenSource? _running;
    private Task _run = Task.CompletedTask;

    public WebhookWorker(string tenant, string id, GateEngine engine, WebhookCursorStore cursors, WebhookSender sender, WebhookOptions options, WebhookMetrics metrics, TimeProvider time, ILogger logger)
    {
        _tenant = tenant;
        _id = id;
        _engine = engine;
        _cursors = cursors;
        _sender = sender;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<DeliveryAttempt> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<DeliveryAttempt>
            {
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.InitialRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    WebhookLog.Retrying(_logger, _id, _pendingFirst, _pendingLast, args.AttemptNumber + 1, args.Outcome.Result.Error, (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .Build();
    }

    public string Tenant => _tenant;

    public string Id => _id;

    /// <summary>Whether the subscription was paused when the worker last started (a change of it restarts the worker).</summary>
    public bool StartedPaused { get; private set; }

    public void Start()
    {
        lock (_lock)
        {
            StartedPaused = _engine.Config.TryGetWebhookSubscription(_tenant, _id, out var subscription) && subscription.Subscription.Paused;
            var running = new CancellationTokenSource();
            _running = running;
            _run = Task.Run(() => RunGuardedAsync(running.Token), CancellationToken.None);
        }
    }

    /// <summary>Stops the worker; an unacknowledged delivery in flight is abandoned (and sent again from the cursor later).</summary>
    public async Task StopAsync()
    {
        Task run;
        CancellationTokenSource? running;
        lock (_lock)
        {
            run = _run;
            running = _running;
            _running = null;
        }

        if (running is not null)
        {
            await running.CancelAsync();
            await run;
            running.Dispose();
        }
    }

    /// <summary>Moves the cursor to deliver again from <paramref name="fromSequence"/> on, ends FAILING, and restarts.</summary>
    public async Task ReplayAsync(ulong fromSequence)
    {
        await StopAsync();
        _cursors.Write(_id, new WebhookCursor(fromSequence - 1, 0));
        lock (_lock)
        {
            _failingSinceTicks = 0;
            _retryStartTicks = 0;
            _failures = 0;
        }

        WebhookLog.Replay(_logger, _id, fromSequence);
        Start();
    }

    private async Task RunGuardedAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunAsync(ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested || !_engine.Config.TryGetWebhookSubscription(_tenant, _id, out _))
            {
                return;
            }
#pragma warning disable CA1031 // A worker outlives any one failure (a damaged log read, a full disk for the cursor): log, wait, resume from the cursor.
            catch (Exception e)
#pragma warning restore CA1031
            {
                WebhookLog.WorkerFailed(_logger, _id, e);
                SetState(WebhookDeliveryState.Retrying, e.Message);
                try
                {
                    await Task.Delay(_options.MaxRetryDelay < TimeSpan.FromSeconds(5) ? _options.MaxRetryDelay : TimeSpan.FromSeconds(5), _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        if (!_engine.Config.TryGetWebhookSubscription(_tenant, _id, out var subscription))
        {
            return;
        }

        ulong next;
        if (_cursors.TryRead(_id, out var cursor))
        {
            next = cursor.DeliveredSequence + 1;
            if (cursor.Failing)
            {
                SetDelivered(cursor.DeliveredSequence);
                MarkFailing(cursor.FailingSinceTicks);
                return;
            }
        }
        else
        {
            // No cursor on this node: a new subscription, or a replica promoted to primary, which resumes after the
            // progress the old primary last recorded in the log (WebhookProgressRecorder).
            next = Math.Max(subscription.Subscription.StartSequence, subscription.DeliveredSequence + 1);
            _cursors.Write(_id, new WebhookCursor(next - 1, 0));
        }

        SetDelivered(next - 1);
        if (subscription.Subscription.Paused)
        {
            SetState(WebhookDeliveryState.Paused, null);
            return;
        }

        SetState(WebhookDeliveryState.Active, null);
        WebhookLog.WorkerStarted(_logger, _id, _tenant, next);
        var log = _engine.Log;
        var batch = new List<WebhookEvent>();
        while (true)
        {
            if (next > log.LastSequence)
            {
                await log.WaitForSequenceAsync(next, ct);
            }

            if (!_engine.Config.TryGetWebhookSubscription(_tenant, _id, out subscription))
            {
                return;
            }

            var mask = WebhookEvents.MaskOf(subscription.Subscription.EventTypes);
            var maxBatch = Math.Clamp(subscription.Subscription.MaxBatchSize, 1, MaxBatchSize);
            var last = Math.Min(log.LastSequence, next + ScanLimit - 1);
            var scanned = next - 1;
            batch.Clear();

            // One pass over the log collects up to EventsPerScan events (a scan iterator per event would cost more than
            // the POST at high rates); they go out in POSTs of maxBatch, the cursor moving after each accepted one.
            await foreach (var entry in log.ReadAsync(next, last, ct))
            {
                var record = entry.Record;
                scanned = record.Sequence;
                if (record.TenantId == _tenant && (WebhookEvents.Of(record) & mask) is var matched and not 0)
                {
                    batch.Add(new WebhookEvent(record, matched));
                    if (batch.Count == EventsPerScan)
                    {
                        break;
                    }
                }
            }

            // Nothing held for the range (a range the log no longer holds reads as nothing too): past it.
            scanned = batch.Count == EventsPerScan ? scanned : Math.Max(scanned, last);
            for (var offset = 0; offset < batch.Count; offset += maxBatch)
            {
                var posted = batch.GetRange(offset, Math.Min(maxBatch, batch.Count - offset));
                if (!await DeliverAsync(posted, asBatch: maxBatch > 1, ct))
                {
                    return;
                }

                // Up to the POST's last event; past the scanned range once the last POST of the pass is accepted.
                Advance(offset + maxBatch >= batch.Count ? scanned : posted[^1].Record.Sequence, posted.Count);
            }

            if (batch.Count == 0)
            {
                Advance(scanned, events: 0);
            }

            next = scanned + 1;
        }
    }

    /// <summary>True once the receiver accepted; false when it gave up (the subscription is FAILING now).</summary>
    private async Task<bool> DeliverAsync(List<WebhookEvent> batch, bool asBatch, CancellationToken ct)
    {
        var first = batch[0].Record.Sequence;
        var last = batch[^1].Record.Sequence;
        var id = asBatch
            ? string.Create(CultureInfo.InvariantCulture, $"{_id}_{first}-{last}")
            : string.Create(CultureInfo.InvariantCulture, $"{_id}_{first}");
        var body = _payload.Build(batch, asBatch, _time.GetUtcNow());
        _pendingFirst = first;
        _pendingLast = last;
        var count = batch.Count;
        var outcome = await _retry.ExecuteAsync(token => AttemptAsync(id, body, count, token), ct);
        if (outcome.Success)
        {
            return true;
        }

        var since = Interlocked.Read(ref _retryStartTicks);
        WebhookLog.Failing(_logger, _id, _tenant, first, last, _time.GetUtcNow().UtcDateTime - new DateTime(since, DateTimeKind.Utc));
        _cursors.Write(_id, new WebhookCursor(first - 1, since));
        MarkFailing(since);
        return false;
    }

    private async ValueTask<DeliveryAttempt> AttemptAsync(string id, ReadOnlyMemory<byte> body, int events, CancellationToken ct)
    {
        if (!_engine.Config.TryGetWebhookSubscription(_tenant, _id, out var subscription))
        {
            // Deleted meanwhile: the dispatcher stops this worker; nothing more goes out.
            throw new OperationCanceledException(ct);
        }

        var attempt = await _sender.SendAsync(subscription.Subscription.Url, id, body, KeysOf(subscription, _time.GetUtcNow()), ct);
        _metrics.Posted(attempt, events);
        Attempted(attempt);
        return attempt;
    }

    /// <summary>The keys that sign now: the secret, and during a rotation's overlap the previous one too (Standard Webhooks: several "v1," signatures).</summary>
    internal static IReadOnlyList<byte[]> KeysOf(WebhookSubscriptionConfig subscription, DateTimeOffset now)
    {
        var keys = new List<byte[]>(2);
        if (WebhookSignature.TryDecodeSecret(subscription.Secret, out var key, out _))
        {
            keys.Add(key);
        }

        if (subscription.PreviousSecret.Length != 0 && subscription.Subscription.PreviousSecretExpireTime is { } expire
            && expire.ToDateTimeOffset() > now && WebhookSignature.TryDecodeSecret(subscription.PreviousSecret, out var previous, out _))
        {
            keys.Add(previous);
        }

        return keys;
    }

    private bool ShouldRetry(Outcome<DeliveryAttempt> outcome)
    {
        if (outcome.Exception is OperationCanceledException || outcome.Result.Success)
        {
            return false;
        }

        var since = Interlocked.Read(ref _retryStartTicks);
        return _time.GetUtcNow().UtcDateTime.Ticks - since < _options.MaxRetryAge.Ticks;
    }

    private static Timestamp? TimestampOf(long ticks) => ticks == 0 ? null : Timestamp.FromDateTime(new DateTime(ticks, DateTimeKind.Utc));
}
