using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// Meter "OptOutGate.Grpc": calls and messages by service, method and status code, recorded by
/// <see cref="CallMetricsInterceptor"/>. The instrument names are the Prometheus names less their suffixes
/// (<c>grpc_server_calls_finished</c> is exposed as <c>grpc_server_calls_finished_total</c>,
/// <c>grpc_server_call_duration</c> in seconds as <c>grpc_server_call_duration_seconds</c>).
/// </summary>
internal sealed class CallMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Grpc";

    // StatusCode numbers are 0-16 (statuscodes.md); the names are those of grpc-go and grpcio.
    private static readonly string[] s_codeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ];

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _received;
    private readonly Counter<long> _sent;

    public CallMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _started = _meter.CreateCounter<long>("grpc_server_calls_started", "{call}", "Calls started, by service and method.");
        _finished = _meter.CreateCounter<long>("grpc_server_calls_finished", "{call}", "Calls finished, by service, method and status code.");
        _duration = _meter.CreateHistogram(
            "grpc_server_call_duration",
            "s",
            "Call duration in the gate's handling (interceptors and handler; the request of a unary call already read), by service, method and status code.",
            advice: new InstrumentAdvice<double>
            {
                // Sub-millisecond buckets: a CheckBatch is expected to take well under a millisecond.
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        _received = _meter.CreateCounter<long>("grpc_server_messages_received", "{message}", "Request messages received, by service and method.");
        _sent = _meter.CreateCounter<long>("grpc_server_messages_sent", "{message}", "Response messages sent, by service and method.");
    }

    public void Started(CallMethod method)
    {
        if (_started.Enabled)
        {
            _started.Add(1, new("service", method.Service), new("method", method.Name));
        }
    }

    public void Finished(CallMethod method, StatusCode code, long startedTimestamp)
    {
        if (!_finished.Enabled && !_duration.Enabled)
        {
            return;
        }

        var tags = new TagList { { "service", method.Service }, { "method", method.Name }, { "code", NameOf(code) } };
        _finished.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    public void MessageReceived(CallMethod method)
    {
        if (_received.Enabled)
        {
            _received.Add(1, new("service", method.Service), new("method", method.Name));
        }
    }

    public void MessageSent(CallMethod method)
    {
        if (_sent.Enabled)
        {
            _sent.Add(1, new("service", method.Service), new("method", method.Name));
        }
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>The status a failed handler ends its call with, as grpc-dotnet sends it.</summary>
    public static StatusCode CodeOf(Exception exception, ServerCallContext context)
    {
        if (exception is RpcException rpc)
        {
            return rpc.StatusCode;
        }

        if (exception is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested)
        {
            // The token is cancelled at the deadline (grpc-dotnet then answers DEADLINE_EXCEEDED) or when the client
            // cancels; neither is a handler failure.
            return context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
        }

        return StatusCode.Unknown;
    }

    private static string NameOf(StatusCode code) => (uint)code < (uint)s_codeNames.Length ? s_codeNames[(int)code] : "UNKNOWN";
}
