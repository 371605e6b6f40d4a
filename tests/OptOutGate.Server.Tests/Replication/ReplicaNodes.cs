using System.Globalization;
using System.Text.RegularExpressions;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>Starts primaries and replicas as real processes, and drives a mixed write load at a primary.</summary>
public static class ReplicaNodes
{
    public const string Sender = "12345";

    public static Task<GateProcess> StartPrimaryAsync(RedisProcess? redis)
    {
        var settings = new Dictionary<string, string>
        {
            ["Replication:HeartbeatInterval"] = "00:00:00.2",
        };
        if (redis is not null)
        {
            settings["Replication:Redis"] = redis.ConnectionString;
        }

        return GateProcess.StartAsync(settings);
    }

    /// <summary>A replica of <paramref name="primary"/>; waits until it is Serving (caught up) unless told not to.</summary>
    public static Task<GateProcess> StartReplicaAsync(
        GateProcess primary, RedisProcess? redis, string? dataDirectory = null, bool waitUntilServing = true, IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Replication:Role"] = "Replica",
            ["Replication:PrimaryAddress"] = primary.GrpcAddress,
            ["Replication:HeartbeatInterval"] = "00:00:00.2",
            ["Engine:CheckpointInterval"] = "00:00:01",
        };
        if (redis is not null)
        {
            settings["Replication:Redis"] = redis.ConnectionString;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return GateProcess.StartAsync(settings, dataDirectory, waitUntilServing);
    }

    /// <summary>
    /// Writes mixed changes at the primary until its sequence reaches <paramref name="records"/> records more than at
    /// the start: Admin opt-outs, removals of earlier opt-outs and tenant-wide suppressions in batches of up to 200
    /// recipients, and MO STOP/START messages 50 at a time (one operation in ten). Returns the primary's last sequence.
    /// </summary>
    public static async Task<ulong> WriteMixedAsync(ReplicationClient primary, int records, int seed, CancellationToken ct = default)
    {
        var random = new Random(seed);
        await primary.PutInboundAddressAsync(Sender);
        var start = await primary.AppliedSequenceAsync();
        var target = start + (ulong)records;
        var last = start;
        var optedOut = new List<string>();
        while (last < target && !ct.IsCancellationRequested)
        {
            var size = (int)Math.Min(200, target - last);
            var roll = random.Next(10);
            ulong sequence;
            if (roll == 9)
            {
                // MO: STOP and START from their own numbers, 50 at a time (each one record, sharing group commits).
                var mos = new List<Task<ulong>>();
                for (var i = 0; i < Math.Min(50, size); i++)
                {
                    var from = "+1650" + random.Next(2_000_000, 2_999_999).ToString(CultureInfo.InvariantCulture);
                    var text = random.Next(3) == 0 ? "START" : "STOP";
                    mos.Add(primary.MoAsync(Sender, from, text, $"mo-{seed}-{last}-{i}"));
                }

                sequence = (await Task.WhenAll(mos)).Max();
            }
            else if (roll < 2 && optedOut.Count >= size)
            {
                var removed = optedOut.GetRange(optedOut.Count - size, size);
                optedOut.RemoveRange(optedOut.Count - size, size);
                sequence = await primary.RemoveAsync(Sender, removed);
            }
            else
            {
                var recipients = Recipients(random, size);
                if (roll < 4)
                {
                    sequence = await primary.SuppressAsync(recipients);
                }
                else
                {
                    sequence = await primary.OptOutAsync(Sender, recipients);
                    optedOut.AddRange(recipients);
                }
            }

            last = Math.Max(last, sequence);
        }

        return last;
    }

    private static List<string> Recipients(Random random, int count)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (set.Count < count)
        {
            set.Add("+1415" + random.Next(2_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));
        }

        return [.. set];
    }

    /// <summary>
    /// Waits until <paramref name="replica"/> has applied <paramref name="sequence"/>, then compares it with the
    /// primary: every entry with all its details (sequence, reason, update time, actor...), and every change record
    /// the replica's log holds up to <paramref name="sequence"/>, one by one: 1..sequence, or for a replica
    /// bootstrapped from a snapshot at N (<paramref name="snapshotSequence"/>; by default read from its output) the
    /// records N + 1..sequence.
    /// </summary>
    public static async Task<List<ChangeRecord>> AssertConvergedAsync(ReplicationClient primary, ReplicationClient replica, ulong sequence, ulong? snapshotSequence = null)
    {
        await replica.WaitForSequenceAsync(sequence, TimeSpan.FromSeconds(60));
        Assert.Equal(await primary.AppliedSequenceAsync(), await replica.AppliedSequenceAsync());

        var expected = await primary.AllEntriesAsync();
        var actual = await replica.AllEntriesAsync();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }

        var held = (snapshotSequence ?? SnapshotSequenceOf(replica.Gate)) + 1;
        var primaryRecords = await primary.ChangesAsync(sequence);
        var replicaRecords = await replica.ChangesAsync(sequence, held);
        Assert.Equal((int)sequence, primaryRecords.Count);
        Assert.Equal(primaryRecords.Count - (int)(held - 1), replicaRecords.Count);
        for (var i = 0; i < replicaRecords.Count; i++)
        {
            Assert.Equal(held + (ulong)i, replicaRecords[i].Sequence);
            Assert.Equal(primaryRecords[(int)(held - 1) + i], replicaRecords[i]);
        }

        return primaryRecords;
    }

    /// <summary>The sequence of the snapshot <paramref name="replica"/> loaded at bootstrap, from its log; 0 when it loaded none.</summary>
    public static ulong SnapshotSequenceOf(GateProcess replica)
    {
        var match = Regex.Match(replica.Output, @"Replica loaded a snapshot at sequence (\d+)", RegexOptions.RightToLeft);
        return match.Success ? ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
