namespace OptOutGate.Engine.Storage.Log;

internal sealed partial class ChangeLog
{
    private ILogBase? _base;

    /// <summary>
    /// The snapshot a replica was bootstrapped from, when it was: the log then holds the records after
    /// <see cref="ILogBase.Sequence"/> only, and point reads below <see cref="FirstSequence"/> find the entries'
    /// records in the base (<see cref="ReadAsync(ulong, CancellationToken)"/>). Null on a log that starts at 1.
    /// </summary>
    public ILogBase? Base => Volatile.Read(ref _base);

    /// <summary>
    /// Makes this log continue <paramref name="snapshotBase"/> at N (its sequence): an empty log then starts at N + 1,
    /// with <see cref="LastSequence"/> N (the base is durable, so N counts as committed), and a log that already holds
    /// records must start at N + 1. The log owns the base from here on and disposes it.
    /// </summary>
    /// <exception cref="InvalidDataException">The log holds records that do not continue the base.</exception>
    /// <exception cref="InvalidOperationException">A base is attached already.</exception>
    public void AttachBase(ILogBase snapshotBase)
    {
        ArgumentNullException.ThrowIfNull(snapshotBase);
        var next = snapshotBase.Sequence + 1;
        lock (_appendLock)
        {
            ThrowIfUnusable();
            if (_base is not null)
            {
                throw new InvalidOperationException("The change log already continues a snapshot base.");
            }

            if (_lastEnqueued == 0 && _map.Count == 0)
            {
                Volatile.Write(ref _map, new SequenceAddressMap(next));
                _lastEnqueued = snapshotBase.Sequence;
                Volatile.Write(ref _lastSequence, snapshotBase.Sequence);
            }
            else if (_map.FirstSequence != next)
            {
                throw new InvalidDataException(
                    $"The snapshot base in {snapshotBase.Path} is at sequence {snapshotBase.Sequence}, but the change log starts at {_map.FirstSequence}: they are not one replica's data.");
            }

            Volatile.Write(ref _base, snapshotBase);
        }
    }
}
