using System.Collections.Concurrent;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>Signals from inside the test handlers, keyed by the request's id, so tests wait on conditions, not time.</summary>
public sealed class EchoProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new();

    public TaskCompletionSource Signal(string id, string what) =>
        _signals.GetOrAdd(id + "/" + what, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public Task WaitAsync(string id, string what) => Signal(id, what).Task.WaitAsync(Timeout);

    public bool HasFired(string id, string what) => Signal(id, what).Task.IsCompleted;
}
