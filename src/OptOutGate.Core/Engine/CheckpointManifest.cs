namespace OptOutGate.Core.Engine;

/// <summary>
/// What a checkpoint folder holds: the state as of <see cref="Sequence"/> (every record up to it applied, none after),
/// the entry index's checkpoint token, and when it was taken.
/// </summary>
internal sealed record CheckpointManifest(ulong Sequence, Guid IndexToken, DateTimeOffset CreatedAt, string Directory);
