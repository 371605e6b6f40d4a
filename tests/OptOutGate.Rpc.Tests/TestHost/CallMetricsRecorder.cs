using System.Diagnostics.Metrics;
using OptOutGate.Rpc.Server.Metrics;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>Listens to one server's grpc_server_calls_finished and lets tests wait for a given call to end.</summary>
public sealed class CallMetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _sync = new();
    private readonly List<(string Method, string Code)> _finished = [];
    private readonly List<(string Method, string Code, TaskCompletionSource Done)> _waiters = [];

    public CallMetricsRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == scope && instrument.Meter.Name == RpcServerMetrics.MeterName && instrument.Name == "grpc_server_calls_finished")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? method = null, code = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "method")
                {
                    method = tag.Value as string;
                }
                else if (tag.Key == "code")
                {
                    code = tag.Value as string;
                }
            }

            Record(method ?? string.Empty, code ?? string.Empty);
        });
        _listener.Start();
    }

    public int Count(string method, string code)
    {
        lock (_sync)
        {
            return _finished.Count(f => f.Method == method && f.Code == code);
        }
    }

    /// <summary>Completes when the number of finished calls of <paramref name="method"/> with <paramref name="code"/> exceeds <paramref name="seenBefore"/>.</summary>
    public Task WaitForFinishedAsync(string method, string code, int seenBefore)
    {
        lock (_sync)
        {
            if (_finished.Count(f => f.Method == method && f.Code == code) > seenBefore)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((method, code, tcs));
            return tcs.Task.WaitAsync(EchoProbe.Timeout);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(string method, string code)
    {
        lock (_sync)
        {
            _finished.Add((method, code));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Method == method && _waiters[i].Code == code)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
