using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// The change log's records are whole but what says how far they go disagrees with them: the commit metadata is
/// missing or an older copy, or the checkpoints are newer than the log (an older log restored under them). The real
/// server must refuse to serve, naming the files and the fix, and change nothing on disk (see <see cref="DamagedLogTests"/>
/// for damaged records).
/// </summary>
[Collection(DamagedMetadataProcessesCollection.Name)]
public sealed class DamagedLogMetadataTests
{
    private const int Written = 3_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CommitMetadataMissing_WithRecordsOnDisk_Refuses(bool cleanStop)
    {
        var folder = await DamagedFolder.BuildAsync(Written, cleanStop);
        var data = LogSegment.CopyFolder(folder.DataDirectory);
        var commits = Path.Combine(data, "log", "active", "log-commits");
        Directory.Delete(commits, recursive: true);
        var before = await File.ReadAllBytesAsync(LogSegment.FirstSegment(data));

        await using (var refusing = await Refusal.StartRefusingAsync(data))
        {
            await Refusal.AssertRefusingAsync(
                refusing,
                $"The change log's commit metadata ({commits}) is missing, but {LogSegment.FirstSegment(data)} holds records",
                "Restore log-commits/ from a backup",
                "or re-seed this node from a healthy replica or primary");
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(LogSegment.FirstSegment(data)));
    }

    [Fact]
    public async Task CommitMetadataReplacedByAnOlderCopy_BehindTheSavedSequenceMap_Refuses()
    {
        var early = await DamagedFolder.BuildAsync(1_000, cleanStop: true);
        var olderCommits = LogSegment.CopyFolder(Path.Combine(early.DataDirectory, "log", "active", "log-commits"));
        var folder = early.With(await DamagedFolder.BuildAsync(Written - 1_000, cleanStop: true, early.DataDirectory, first: 1_000));
        var commits = Path.Combine(folder.DataDirectory, "log", "active", "log-commits");
        Directory.Delete(commits, recursive: true);
        Directory.Move(olderCommits, commits);

        await using var refusing = await Refusal.StartRefusingAsync(folder.DataDirectory);
        await Refusal.AssertRefusingAsync(
            refusing,
            "(saved only for committed records) names sequence 3000 at address",
            "committed records are missing past the commit point");
    }

    [Fact]
    public async Task CheckpointAheadOfTheLog_AnOlderLogRestoredUnderNewerCheckpoints_Refuses()
    {
        var early = await DamagedFolder.BuildAsync(1_000, cleanStop: true);
        var olderLog = LogSegment.CopyFolder(Path.Combine(early.DataDirectory, "log"));
        var folder = early.With(await DamagedFolder.BuildAsync(Written - 1_000, cleanStop: true, early.DataDirectory, first: 1_000));
        var log = Path.Combine(folder.DataDirectory, "log");
        Directory.Delete(log, recursive: true);
        Directory.Move(olderLog, log);

        await using var refusing = await Refusal.StartRefusingAsync(folder.DataDirectory);
        await Refusal.AssertRefusingAsync(
            refusing,
            $"The checkpoint in {Path.Combine(folder.DataDirectory, "checkpoints", "3000")} is at sequence 3000, but the change log ends at sequence 1000",
            "committed records 1001..3000 are missing from the log");
    }
}
