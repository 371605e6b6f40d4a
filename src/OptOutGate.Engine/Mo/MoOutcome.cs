using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>What recording one message gave: its result once durable, or why it was not recorded. Exactly one is set.</summary>
internal readonly record struct MoOutcome
{
    private MoOutcome(MoResult? result, EngineError? failure)
    {
        Result = result;
        Failure = failure;
    }

    public MoResult? Result { get; }

    /// <summary>
    /// Why the message was not recorded: <see cref="EngineErrorKind.Invalid"/> (malformed), <see cref="EngineErrorKind.NotFound"/>
    /// (unknown inbound address), <see cref="EngineErrorKind.Unavailable"/> (not durable) or <see cref="EngineErrorKind.ReadOnly"/>
    /// (a replica).
    /// </summary>
    public EngineError? Failure { get; }

    public static MoOutcome Recorded(MoResult result) => new(result, null);

    public static MoOutcome Failed(EngineErrorKind kind, string message) => new(null, new EngineError(kind, message));

    public static MoOutcome Failed(EngineError failure) => new(null, failure);
}
