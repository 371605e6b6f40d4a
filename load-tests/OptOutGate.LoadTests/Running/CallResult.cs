namespace OptOutGate.LoadTests.Running;

/// <summary>
/// What one successful call reports to the run loop. Failures are thrown as <see cref="Rpc.RpcException"/> (or any
/// exception, counted as Unknown) and recorded with their status.
/// </summary>
/// <param name="Recipients">Recipients the call answered (checks), for Recipients/sec.</param>
/// <param name="Tag">A tally to count for this call (an MO action, "verdict mismatch"...), or null.</param>
/// <param name="LatencyNanos">The latency to record instead of the call's own duration (lag measures from a write's ack).</param>
internal readonly record struct CallResult(long Recipients = 0, string? Tag = null, long? LatencyNanos = null);
