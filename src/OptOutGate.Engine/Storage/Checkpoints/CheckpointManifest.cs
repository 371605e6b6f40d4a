namespace OptOutGate.Engine.Storage.Checkpoints;

/// <summary>
/// What a checkpoint folder holds: the state as of <see cref="Sequence"/> (every record up to it applied, none after),
/// the entry index's checkpoint token, when it was taken, and the checksums of every file it is made of and of the
/// index log range it covers (<see cref="CheckpointChecksums"/>), checked before it is loaded.
/// </summary>
internal sealed record CheckpointManifest(
    ulong Sequence, Guid IndexToken, DateTimeOffset CreatedAt, string Directory, IReadOnlyList<FileChecksum> Files, IndexLogChecksum? IndexLog);
