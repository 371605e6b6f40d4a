using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

/// <summary>
/// The statuses that grpc.health.v1 reports, by service name; <see cref="Server"/> (<c>""</c>) is the whole server.
/// Thread-safe. Changes reach every Watch call; a slow watcher sees the latest status, not every intermediate one.
/// </summary>
public sealed class HealthStatusRegistry
{
    /// <summary>The name that stands for the whole server in Check and Watch (grpc health-checking protocol).</summary>
    public const string Server = "";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HealthWatcher>> _watchers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private bool _watchesCompleted;

    public HealthStatusRegistry()
        : this(NullLogger<HealthStatusRegistry>.Instance)
    {
    }

    public HealthStatusRegistry(ILogger<HealthStatusRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <summary>Registers <paramref name="service"/> (if new) with <paramref name="status"/> and tells its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (status == ServingStatus.ServiceUnknown)
        {
            // SERVICE_UNKNOWN is what Watch says for a name that is not registered; use Remove for that.
            throw new ArgumentOutOfRangeException(nameof(status), status, "SERVICE_UNKNOWN is reserved for names that are not registered; call Remove instead.");
        }

        lock (_lock)
        {
            if (_statuses.TryGetValue(service, out var previous) && previous == status)
            {
                return;
            }

            _statuses[service] = status;
            NotifyLocked(service, status);
        }

        HealthLog.StatusChanged(_logger, service, status);
    }

    /// <summary>
    /// Sets every registered name, <see cref="Server"/> included (registering it if needed), to SERVING or
    /// NOT_SERVING: for loading at start-up and draining at shutdown.
    /// </summary>
    public void SetServing(bool serving)
    {
        var status = serving ? ServingStatus.Serving : ServingStatus.NotServing;
        string[] names;
        lock (_lock)
        {
            names = [.. _statuses.Keys];
        }

        SetStatus(Server, status);
        foreach (var name in names)
        {
            SetStatus(name, status);
        }
    }

    /// <summary>Unregisters <paramref name="service"/>: Check answers NOT_FOUND, watchers see SERVICE_UNKNOWN.</summary>
    public bool Remove(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (!_statuses.Remove(service))
            {
                return false;
            }

            NotifyLocked(service, ServingStatus.ServiceUnknown);
        }

        HealthLog.StatusChanged(_logger, service, ServingStatus.ServiceUnknown);
        return true;
    }

    public bool TryGetStatus(string service, out ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out status);
        }
    }

    /// <summary>The status of <paramref name="service"/>, or SERVICE_UNKNOWN when it is not registered.</summary>
    public ServingStatus GetStatus(string service) => TryGetStatus(service, out var status) ? status : ServingStatus.ServiceUnknown;

    /// <summary>A snapshot of every registered name and its status.</summary>
    public IReadOnlyDictionary<string, ServingStatus> GetAll()
    {
        lock (_lock)
        {
            return new Dictionary<string, ServingStatus>(_statuses, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Ends every Watch call (now and later) with OK after it has sent the latest status, so that long-lived
    /// watches do not hold up a graceful shutdown; clients retry with backoff (grpc health-checking protocol).
    /// <c>AddRpcHealth</c> calls it on ApplicationStopping, after the callbacks registered at start-up (such as the
    /// host's <see cref="SetServing"/>(false)); a host with a drain delay may call it itself at the end of the delay.
    /// </summary>
    public void CompleteWatches()
    {
        lock (_lock)
        {
            _watchesCompleted = true;
            foreach (var list in _watchers.Values)
            {
                foreach (var watcher in list)
                {
                    watcher.Complete();
                }
            }
        }
    }

    /// <summary>Subscribes to <paramref name="service"/>; the watcher starts with the current status queued.</summary>
    internal HealthWatcher Watch(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var watcher = new HealthWatcher(this, service);
        lock (_lock)
        {
            // Queued under the lock that SetStatus takes, so no change can fall between "read current" and "subscribe".
            watcher.Publish(_statuses.TryGetValue(service, out var status) ? status : ServingStatus.ServiceUnknown);
            if (_watchesCompleted)
            {
                watcher.Complete();
                return watcher;
            }

            if (!_watchers.TryGetValue(service, out var list))
            {
                list = [];
                _watchers.Add(service, list);
            }

            list.Add(watcher);
        }

        return watcher;
    }

    internal void Unsubscribe(HealthWatcher watcher)
    {
        lock (_lock)
        {
            if (_watchers.TryGetValue(watcher.Service, out var list) && list.Remove(watcher) && list.Count == 0)
            {
                _watchers.Remove(watcher.Service);
            }
        }
    }

    private void NotifyLocked(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var watcher in list)
            {
                watcher.Publish(status);
            }
        }
    }
}
