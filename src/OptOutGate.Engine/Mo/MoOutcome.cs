using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>What recording one message gave: its result once durable, or why it was not recorded. Exactly one is set.</summary>
internal readonly record struct MoOutcome
{
    private MoOutcome(MoResult? result, MoFailure? failure)
    {
        Result = result;
        Failure = failure;
    }

    public MoResult? Result { get; }

    public MoFailure? Failure { get; }

    public static MoOutcome Recorded(MoResult result) => new(result, null);

    public static MoOutcome Failed(MoFailureKind kind, string message) => new(null, new MoFailure(kind, message));
}
