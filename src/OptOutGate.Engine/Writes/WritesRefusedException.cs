namespace OptOutGate.Engine.Writes;

/// <summary>
/// This node refuses every write (<see cref="WritePipeline.RefuseWrites"/>: a replica, whose log holds only its
/// primary's records). The message is the host's and names where writes go; nothing was written.
/// </summary>
internal sealed class WritesRefusedException : InvalidOperationException
{
    public WritesRefusedException()
        : this("This node refuses writes.")
    {
    }

    public WritesRefusedException(string message)
        : base(message)
    {
    }

    public WritesRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
