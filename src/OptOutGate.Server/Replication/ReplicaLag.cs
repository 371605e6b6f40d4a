using OptOutGate.Server.Readiness;

namespace OptOutGate.Server.Replication;

/// <summary>
/// How far a replica is behind its primary, and therefore whether it may answer. Inputs: the primary's
/// committed sequence from every message (records and heartbeats), the moment of the last message, and what this
/// replica has applied. The replica is ready once it has caught up after start-up, and stays ready while it is at most
/// <see cref="ReplicationOptions.MaxLagSequences"/> behind, its oldest unapplied change waited at most
/// <see cref="ReplicationOptions.MaxLagMilliseconds"/>, and it heard from the primary within that time too.
/// </summary>
internal sealed class ReplicaLag(ReplicationOptions options, ServerReadiness readiness, TimeProvider time)
{
    private readonly Lock _lock = new();
    private ulong _primaryCommitted;
    private ulong _applied;
    private long _lastContact;
    private long _behindSince;
    private bool _caughtUpOnce;
    private bool _ready;
    private bool _stopped;

    public ulong PrimaryCommitted
    {
        get
        {
            lock (_lock)
            {
                return _primaryCommitted;
            }
        }
    }

    public long LagSequences
    {
        get
        {
            lock (_lock)
            {
                return _primaryCommitted > _applied ? (long)(_primaryCommitted - _applied) : 0;
            }
        }
    }

    public long LagMilliseconds
    {
        get
        {
            lock (_lock)
            {
                return LagMillisecondsLocked(time.GetTimestamp());
            }
        }
    }

    public bool IsReady => Volatile.Read(ref _ready);

    /// <summary>A message from the primary said it has committed up to <paramref name="committed"/>.</summary>
    public void Heard(ulong committed)
    {
        lock (_lock)
        {
            _lastContact = time.GetTimestamp();
            if (committed > _primaryCommitted)
            {
                _primaryCommitted = committed;
            }

            EvaluateLocked();
        }
    }

    /// <summary>Everything up to <paramref name="applied"/> is durable and visible here.</summary>
    public void Applied(ulong applied)
    {
        lock (_lock)
        {
            _applied = Math.Max(_applied, applied);
            if (_applied > _primaryCommitted)
            {
                // The records themselves prove the primary committed them.
                _primaryCommitted = _applied;
            }

            EvaluateLocked();
        }
    }

    /// <summary>The replica stopped following for good (a key that cannot read every tenant): NOT_SERVING from now on.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            EvaluateLocked();
        }
    }

    /// <summary>Re-evaluates with the time passed (called periodically: silence from the primary is lag too).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            EvaluateLocked();
        }
    }

    private long LagMillisecondsLocked(long now) =>
        _primaryCommitted > _applied && _behindSince != 0 ? (long)time.GetElapsedTime(_behindSince, now).TotalMilliseconds : 0;

    private void EvaluateLocked()
    {
        var now = time.GetTimestamp();
        if (_primaryCommitted > _applied)
        {
            if (_behindSince == 0)
            {
                _behindSince = now;
            }
        }
        else
        {
            _behindSince = 0;
            if (_lastContact != 0)
            {
                _caughtUpOnce = true;
            }
        }

        var silence = _lastContact == 0 ? long.MaxValue : (long)time.GetElapsedTime(_lastContact, now).TotalMilliseconds;
        var ready = !_stopped
            && _caughtUpOnce
            && (long)(_primaryCommitted - Math.Min(_applied, _primaryCommitted)) <= options.MaxLagSequences
            && LagMillisecondsLocked(now) <= options.MaxLagMilliseconds
            && silence <= options.MaxLagMilliseconds;
        if (ready != _ready)
        {
            Volatile.Write(ref _ready, ready);
            readiness.SetCaughtUp(ready);
        }
    }
}
