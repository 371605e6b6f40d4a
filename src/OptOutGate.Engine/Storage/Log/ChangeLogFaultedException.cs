namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// The change log failed to write or commit and accepts no more appends. Records appended before the failure may or
/// may not be on disk (they were never acknowledged); the process must restart, and recovery decides from what is on
/// disk. Sequence numbers stay gap-free: nothing is appended after the failure.
/// </summary>
internal sealed class ChangeLogFaultedException : Exception
{
    public ChangeLogFaultedException()
        : base("The change log is faulted after a write or commit failure; restart the process.")
    {
    }

    public ChangeLogFaultedException(string message)
        : base(message)
    {
    }

    public ChangeLogFaultedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
