using OptOutGate.Rpc.Server.Health;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Tests.Health;

public sealed class HealthStatusRegistryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Unregistered_name_reads_as_service_unknown()
    {
        var registry = new HealthStatusRegistry();

        Assert.False(registry.TryGetStatus("a.B", out _));
        Assert.Equal(ServingStatus.ServiceUnknown, registry.GetStatus("a.B"));
    }

    [Fact]
    public void SetStatus_registers_and_updates()
    {
        var registry = new HealthStatusRegistry();

        registry.SetStatus("a.B", ServingStatus.NotServing);
        registry.SetStatus("a.B", ServingStatus.Serving);

        Assert.True(registry.TryGetStatus("a.B", out var status));
        Assert.Equal(ServingStatus.Serving, status);
    }

    [Fact]
    public void SetStatus_rejects_service_unknown()
    {
        var registry = new HealthStatusRegistry();

        Assert.Throws<ArgumentOutOfRangeException>(() => registry.SetStatus("a.B", ServingStatus.ServiceUnknown));
    }

    [Fact]
    public void SetServing_flips_the_server_and_every_registered_service()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("a.B", ServingStatus.Serving);
        registry.SetStatus("a.C", ServingStatus.Serving);

        registry.SetServing(false);

        Assert.Equal(
            new Dictionary<string, ServingStatus> { [""] = ServingStatus.NotServing, ["a.B"] = ServingStatus.NotServing, ["a.C"] = ServingStatus.NotServing },
            registry.GetAll());

        registry.SetServing(true);

        Assert.All(registry.GetAll().Values, s => Assert.Equal(ServingStatus.Serving, s));
    }

    [Fact]
    public async Task Watch_starts_with_the_current_status_then_sees_changes()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("", ServingStatus.Serving);
        using var watcher = registry.Watch("");

        Assert.Equal(ServingStatus.Serving, await ReadAsync(watcher));
        registry.SetStatus("", ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, await ReadAsync(watcher));
    }

    [Fact]
    public async Task Watch_of_unknown_name_sees_service_unknown_then_registration_and_removal()
    {
        var registry = new HealthStatusRegistry();
        using var watcher = registry.Watch("a.B");

        Assert.Equal(ServingStatus.ServiceUnknown, await ReadAsync(watcher));
        registry.SetStatus("a.B", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await ReadAsync(watcher));
        Assert.True(registry.Remove("a.B"));
        Assert.Equal(ServingStatus.ServiceUnknown, await ReadAsync(watcher));
    }

    [Fact]
    public async Task Slow_watcher_gets_the_latest_status_only()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("a.B", ServingStatus.Serving);
        using var watcher = registry.Watch("a.B");

        for (var i = 0; i < 1000; i++)
        {
            registry.SetStatus("a.B", i % 2 == 0 ? ServingStatus.NotServing : ServingStatus.Serving);
        }

        registry.SetStatus("a.B", ServingStatus.NotServing);

        Assert.Equal(ServingStatus.NotServing, await ReadAsync(watcher));
        Assert.False(watcher.Statuses.TryRead(out _));
    }

    [Fact]
    public async Task Concurrent_writers_never_lose_the_last_change()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("a.B", ServingStatus.Serving);
        using var watcher = registry.Watch("a.B");
        using var start = new Barrier(4);

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            start.SignalAndWait(s_timeout);
            for (var i = 0; i < 10_000; i++)
            {
                registry.SetStatus("a.B", (i + w) % 2 == 0 ? ServingStatus.NotServing : ServingStatus.Serving);
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(s_timeout);
        registry.SetStatus("a.B", ServingStatus.NotServing);

        var last = ServingStatus.Unknown;
        while (watcher.Statuses.TryRead(out var status))
        {
            last = status;
        }

        Assert.Equal(registry.GetStatus("a.B"), last);
    }

    [Fact]
    public async Task CompleteWatches_ends_watchers_after_the_latest_status()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("", ServingStatus.Serving);
        using var watcher = registry.Watch("");
        registry.SetServing(false);

        registry.CompleteWatches();

        Assert.Equal(ServingStatus.NotServing, await ReadAsync(watcher));
        Assert.False(await watcher.Statuses.WaitToReadAsync().AsTask().WaitAsync(s_timeout));
        using var late = registry.Watch("");
        Assert.Equal(ServingStatus.NotServing, await ReadAsync(late));
        Assert.False(await late.Statuses.WaitToReadAsync().AsTask().WaitAsync(s_timeout));
    }

    [Fact]
    public void Disposed_watcher_is_no_longer_notified()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("", ServingStatus.Serving);
        var watcher = registry.Watch("");
        Assert.True(watcher.Statuses.TryRead(out _));

        watcher.Dispose();
        registry.SetStatus("", ServingStatus.NotServing);

        Assert.False(watcher.Statuses.TryRead(out _));
    }

    private static async Task<ServingStatus> ReadAsync(HealthWatcher watcher)
        => await watcher.Statuses.ReadAsync().AsTask().WaitAsync(s_timeout);
}
