using System.Diagnostics.Metrics;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Meter "OptOutGate.Webhooks": POSTs by result, events delivered, delivery duration, and per subscription (observed
/// when scraped) its state, the sequences it is behind by and whether it is failing.
/// </summary>
internal sealed class WebhookMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Webhooks";

    private static readonly KeyValuePair<string, object?> s_accepted = new("result", "accepted");
    private static readonly KeyValuePair<string, object?> s_failed = new("result", "failed");

    private readonly Meter _meter;
    private readonly Counter<long> _posts;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _duration;
    private Func<IEnumerable<(string Tenant, string Id, bool Failing, long Behind)>>? _subscriptions;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _posts = _meter.CreateCounter<long>("optoutgate.webhooks.posts", "{request}", "Webhook POSTs by result (accepted: 2xx; failed: any other answer, no answer, or a timeout).");
        _events = _meter.CreateCounter<long>("optoutgate.webhooks.events", "{event}", "Events accepted by receivers.");
        _duration = _meter.CreateHistogram(
            "optoutgate.webhooks.post.duration",
            "s",
            "Time of one webhook POST until the receiver's answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10] });
        _meter.CreateObservableGauge("optoutgate.webhooks.failing", () => Observe(static s => s.Failing ? 1 : 0), "{subscription}", "1 while the subscription is FAILING (gave up retrying; replay to resume).");
        _meter.CreateObservableGauge("optoutgate.webhooks.behind", () => Observe(static s => s.Behind), "{record}", "Committed records the subscription's cursor is behind by.");
    }

    /// <summary>Where the per-subscription gauges read from (the dispatcher's workers).</summary>
    public void Observe(Func<IEnumerable<(string Tenant, string Id, bool Failing, long Behind)>> subscriptions) => _subscriptions = subscriptions;

    public void Posted(DeliveryAttempt attempt, int events)
    {
        _posts.Add(1, attempt.Success ? s_accepted : s_failed);
        _duration.Record(attempt.Duration.TotalSeconds);
        if (attempt.Success)
        {
            _events.Add(events);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Observe(Func<(string Tenant, string Id, bool Failing, long Behind), long> value)
    {
        if (_subscriptions is not { } subscriptions)
        {
            yield break;
        }

        foreach (var subscription in subscriptions())
        {
            yield return new Measurement<long>(value(subscription), new KeyValuePair<string, object?>("tenant", subscription.Tenant), new KeyValuePair<string, object?>("subscription", subscription.Id));
        }
    }
}
