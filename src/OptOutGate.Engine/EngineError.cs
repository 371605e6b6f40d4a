using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine;

/// <summary>
/// What an engine call could not do, returned as a value (the engine throws no transport error): the kind, which the
/// host maps to a status once, and a message for the caller that never holds a full phone number. The conditions that
/// recur (loading, stopped, a failed write) have one value and one wording here, whoever meets them.
/// </summary>
internal sealed record EngineError(EngineErrorKind Kind, string Message)
{
    /// <summary>The host has no engine yet: it is still recovering its state (checkpoint, then the log after it).</summary>
    public static readonly EngineError Loading =
        new(EngineErrorKind.Unavailable, "OptOutGate is loading its state and not serving yet; retry shortly.");

    /// <summary>The state applier stopped on an error: nothing is answered from a state that no longer follows the log.</summary>
    public static readonly EngineError StoppedApplying =
        new(EngineErrorKind.Unavailable, "OptOutGate stopped applying changes (see its log) and answers nothing from a stale state; retry on a healthy node.");

    /// <summary>
    /// The change log failed (an I/O error): nothing more is written until the process restarts. The write that met it
    /// may or may not be on disk, but it was not acknowledged, so a retry is safe (an MO retry is a DUPLICATE).
    /// </summary>
    public static readonly EngineError LogFailed =
        new(EngineErrorKind.Unavailable, "OptOutGate cannot write its change log (see its log); the change was not acknowledged: retry on a healthy node.");

    /// <summary>
    /// What a failed <see cref="WritePipeline.WriteAsync"/> means to its caller, in one wording for every write (an
    /// Admin change, an MO message, a CONFIRMATION's window): a replica's refusal, a request the pipeline refused, or
    /// a write that did not become durable.
    /// </summary>
    public static EngineError OfWriteFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            WritesRefusedException refused => new(EngineErrorKind.ReadOnly, refused.Message),
            ArgumentException invalid => new(EngineErrorKind.Invalid, invalid.Message),
            ChangeLogFaultedException => LogFailed,
            _ => new(EngineErrorKind.Unavailable, "The change could not be recorded durably (" + error.Message + "); it was not acknowledged: retry."),
        };
    }
}
