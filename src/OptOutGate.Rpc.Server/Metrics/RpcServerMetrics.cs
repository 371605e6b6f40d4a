using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OptOutGate.Rpc.Server.Metrics;

/// <summary>
/// The server layer's instruments. Names follow Prometheus conventions so that the exposition at /metrics reads as
/// users expect (<c>_total</c> counters, <c>_seconds</c> histograms); tags are service, method and code.
/// </summary>
public sealed class RpcServerMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Rpc.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _callsStarted;
    private readonly Counter<long> _callsFinished;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesSent;

    public RpcServerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _callsStarted = _meter.CreateCounter<long>("grpc_server_calls_started", "{call}", "Calls started, by service and method.");
        _callsFinished = _meter.CreateCounter<long>("grpc_server_calls_finished", "{call}", "Calls finished, by service, method and status code.");
        _callDuration = _meter.CreateHistogram<double>(
            "grpc_server_call_duration", "s", "Call duration from request headers to trailers, by service, method and status code.",
            advice: new InstrumentAdvice<double>
            {
                // Sub-millisecond buckets: a CheckBatch is expected to take well under a millisecond.
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        _messagesReceived = _meter.CreateCounter<long>("grpc_server_messages_received", "{message}", "Request messages received, by service and method.");
        _messagesSent = _meter.CreateCounter<long>("grpc_server_messages_sent", "{message}", "Response messages sent, by service and method.");
    }

    public void CallStarted(string service, string method)
    {
        if (_callsStarted.Enabled)
        {
            _callsStarted.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("method", method));
        }
    }

    public void CallFinished(string service, string method, StatusCode code, TimeSpan duration)
    {
        if (!_callsFinished.Enabled && !_callDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "service", service },
            { "method", method },
            { "code", StatusCodeNames.Get(code) },
        };
        _callsFinished.Add(1, tags);
        _callDuration.Record(duration.TotalSeconds, tags);
    }

    public void MessageReceived(string service, string method)
    {
        if (_messagesReceived.Enabled)
        {
            _messagesReceived.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("method", method));
        }
    }

    public void MessageSent(string service, string method)
    {
        if (_messagesSent.Enabled)
        {
            _messagesSent.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("method", method));
        }
    }

    public void Dispose() => _meter.Dispose();
}
