namespace OptOutGate.Engine.Mo;

/// <summary>Why a message was not recorded; the host turns the kind into its transport's status.</summary>
internal enum MoFailureKind
{
    /// <summary>The message is malformed (mo.proto's validation rules); nothing was recorded.</summary>
    Invalid = 1,

    /// <summary>The inbound address is not one of the tenant's; nothing was recorded.</summary>
    NotFound = 2,

    /// <summary>The message could not be made durable (the change log failed or the write did not complete); send it again.</summary>
    Unavailable = 3,

    /// <summary>This node refuses writes (a replica); the message names where to send them.</summary>
    ReadOnly = 4,
}

/// <summary>A message that was not recorded: the kind of failure and a message for the caller (it never holds a full number).</summary>
internal sealed record MoFailure(MoFailureKind Kind, string Message);
