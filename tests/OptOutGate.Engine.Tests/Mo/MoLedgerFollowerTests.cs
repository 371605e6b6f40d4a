using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Replication;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Tests.Replication;

namespace OptOutGate.Engine.Tests.Mo;

/// <summary>The MO ledger follower on a replica, whose records are applied before its own log has them on disk.</summary>
public sealed class MoLedgerFollowerTests
{
    private const string Tenant = "tenant-a";
    private const string Sender = "+18005550100";

    [Fact]
    public async Task OnAReplica_WaitsForTheLocalCommit_InsteadOfSpinning_ThenFoldsTheRecords()
    {
        using var primaryDir = new EngineTestDirectory();
        using var replicaDir = new EngineTestDirectory();
        await using var primary = await primaryDir.OpenAsync();
        await using var replica = await replicaDir.OpenAsync();
        var last = await primary.OptOutAsync(Tenant, Sender, "+14155550101", "+14155550102");
        var writer = new ReplicaRecordWriter(replica);
        await using var follower = await MoLedgerFollower.StartAsync(
            replica, Path.Combine(replicaDir.Path, DataLayout.Mo), new MoOptions(), NullLogger.Instance, replicaDir.Time, CancellationToken.None);
        var roundsBefore = follower.Rounds;

        using (replica.Log.HoldCommits())
        {
            Assert.True(await writer.WriteAsync(await PrimaryRecords.FromAsync(primary, 1), CancellationToken.None));
            Assert.Equal(last, replica.Applier.AppliedSequence);
            Assert.True(replica.Log.LastSequence < last);

            // Nothing can be folded until the commit: a follower that spins wakes thousands of times in this window (it
            // did, on every replica write, allocating a read each time); one that waits does not wake at all.
            await Task.Delay(200);
            Assert.InRange(follower.Rounds - roundsBefore, 0, 1);
            Assert.Equal(0UL, follower.Ledger.FoldedSequence);
        }

        await replica.Log.WaitForSequenceAsync(last, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (follower.Ledger.FoldedSequence < last && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(last, follower.Ledger.FoldedSequence);
    }
}
