namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// The records before a log's first sequence, held outside the log: a replica bootstrapped from a snapshot at N keeps
/// the records of the snapshot's entries in its snapshot base (Snapshots/SnapshotBase), and its log starts at N + 1.
/// <see cref="ChangeLog"/> reads through it below its first sequence. An interface so that Storage stays below the
/// snapshot code that implements it (Storage/* references no feature folder).
/// </summary>
internal interface ILogBase : IDisposable
{
    /// <summary>The file that holds the base, for messages.</summary>
    string Path { get; }

    /// <summary>The sequence the base reflects: the log continues at the next one.</summary>
    ulong Sequence { get; }

    /// <summary>The time the base was taken at, when known.</summary>
    DateTime? AsOf { get; }

    /// <summary>The record of <paramref name="sequence"/> when the base holds it (the last change of an entry), else null.</summary>
    ValueTask<LogEntry?> ReadAsync(ulong sequence, CancellationToken ct);

    /// <summary>The base's records from <paramref name="fromSequence"/> on, in sequence order.</summary>
    IAsyncEnumerable<LogEntry> ReadFromAsync(ulong fromSequence, CancellationToken ct);
}
