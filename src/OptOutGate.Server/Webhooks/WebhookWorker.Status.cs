using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Webhooks;

namespace OptOutGate.Server.Webhooks;

/// <summary>The worker's delivery status (Admin's <see cref="WebhookDeliveryStatus"/>, the metrics), kept under its lock.</summary>
internal sealed partial class WebhookWorker
{
    private WebhookDeliveryState _state = WebhookDeliveryState.Active;
    private ulong _delivered;
    private long _lastAttemptTicks;
    private int _lastHttpStatus;
    private string _lastError = "";
    private int _failures;
    private long _retryStartTicks;
    private long _failingSinceTicks;
    private long _lastSuccessTicks;
    private ulong _deliveredEvents;
    private ulong _pendingFirst;
    private ulong _pendingLast;

    public bool Failing
    {
        get
        {
            lock (_lock)
            {
                return _state == WebhookDeliveryState.Failing;
            }
        }
    }

    public ulong DeliveredSequence
    {
        get
        {
            lock (_lock)
            {
                return _delivered;
            }
        }
    }

    public WebhookDeliveryStatus Status(ulong committedSequence)
    {
        lock (_lock)
        {
            return new WebhookDeliveryStatus
            {
                State = _state,
                DeliveredSequence = _delivered,
                CommittedSequence = committedSequence,
                LastAttemptTime = TimestampOf(_lastAttemptTicks),
                LastHttpStatus = _lastHttpStatus,
                LastError = _lastError,
                ConsecutiveFailures = _failures,
                FailingSince = TimestampOf(_state == WebhookDeliveryState.Failing ? _failingSinceTicks : _retryStartTicks),
                LastSuccessTime = TimestampOf(_lastSuccessTicks),
                DeliveredEvents = _deliveredEvents,
            };
        }
    }

    private void SetState(WebhookDeliveryState state, string? error)
    {
        lock (_lock)
        {
            _state = state;
            if (error is not null)
            {
                _lastError = error;
            }
        }
    }

    private void SetDelivered(ulong sequence)
    {
        lock (_lock)
        {
            _delivered = sequence;
        }
    }

    private void Attempted(DeliveryAttempt attempt)
    {
        var now = _time.GetUtcNow().UtcDateTime.Ticks;
        lock (_lock)
        {
            _lastAttemptTicks = now;
            _lastHttpStatus = attempt.HttpStatus;
            _lastError = attempt.Error;
            if (attempt.Success)
            {
                if (_failures > 0)
                {
                    WebhookLog.Recovered(_logger, _id, _failures);
                }

                _failures = 0;
                _retryStartTicks = 0;
                _lastSuccessTicks = now;
                _state = WebhookDeliveryState.Active;
            }
            else
            {
                if (_failures++ == 0)
                {
                    _retryStartTicks = now;
                }

                _state = WebhookDeliveryState.Retrying;
            }
        }
    }

    /// <summary>Moves the durable cursor: everything up to <paramref name="sequence"/> is delivered (or not this subscription's).</summary>
    private void Advance(ulong sequence, int events)
    {
        _cursors.Write(_id, new WebhookCursor(sequence, 0));
        lock (_lock)
        {
            _delivered = sequence;
            _deliveredEvents += (ulong)events;
        }
    }

    private void MarkFailing(long sinceTicks)
    {
        lock (_lock)
        {
            _state = WebhookDeliveryState.Failing;
            _failingSinceTicks = sinceTicks;
        }
    }
}
