namespace OptOutGate.Engine;

/// <summary>
/// What kind of answer an <see cref="EngineError"/> is. The host turns each kind into its transport's status in one
/// place (gRPC: INVALID_ARGUMENT, NOT_FOUND, OUT_OF_RANGE, FAILED_PRECONDITION, UNAVAILABLE, DEADLINE_EXCEEDED).
/// </summary>
internal enum EngineErrorKind
{
    /// <summary>The request is malformed; nothing was done.</summary>
    Invalid = 1,

    /// <summary>What the request names does not exist (an MO to an unknown inbound address); nothing was done.</summary>
    NotFound = 2,

    /// <summary>The request asks for what this node cannot have yet (a min_sequence beyond what its log committed).</summary>
    OutOfRange = 3,

    /// <summary>This node refuses writes (a replica); the message names where writes go.</summary>
    ReadOnly = 4,

    /// <summary>
    /// The engine cannot answer now: loading, stopped applying changes, or unable to make a write durable. Nothing was
    /// acknowledged; the caller retries (on another node when the message says so).
    /// </summary>
    Unavailable = 5,

    /// <summary>What the request waited for (its min_sequence) did not come within the wait it allowed.</summary>
    DeadlineExceeded = 6,
}
