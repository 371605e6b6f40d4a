namespace OptOutGate.Engine.Webhooks;

/// <summary>
/// Where one subscription's deliveries stand, durably: every matching event up to <see cref="DeliveredSequence"/> was
/// accepted by the receiver; <see cref="FailingSinceTicks"/> is non-zero once the subscription gave up retrying (FAILING)
/// and stays so until an operator replays.
/// </summary>
internal readonly record struct WebhookCursor(ulong DeliveredSequence, long FailingSinceTicks)
{
    public bool Failing => FailingSinceTicks != 0;
}
