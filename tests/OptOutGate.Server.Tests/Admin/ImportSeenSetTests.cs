using FsCheck;
using FsCheck.Fluent;
using OptOutGate.Server.Admin;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>The dry run's file-backed set of counted recipients against a HashSet, through several doublings.</summary>
public sealed class ImportSeenSetTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "optoutgate-seen-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void AnswersLikeAHashSet_AcrossDoublings_AndDeletesItsFileOnDispose()
    {
        var random = new Random(1718);
        var expected = new HashSet<(int, ulong)>();
        using (var set = new ImportSeenSet(_directory))
        {
            Assert.Empty(Directory.Exists(_directory) ? Directory.GetFiles(_directory) : []);
            for (var i = 0; i < 300_000; i++)
            {
                // Few targets, numbers close together (a sorted list) and many repeats.
                var target = random.Next(3);
                var recipient = 14_155_550_000UL + (ulong)random.Next(200_000);
                Assert.Equal(expected.Add((target, recipient)), set.Add(target, recipient));
            }

            Assert.Equal(expected.Count, set.Count);
            Assert.True(set.FileBytes >= expected.Count * 16L * 10 / 7, "the table doubled past 70 % load");
            Assert.Single(Directory.GetFiles(_directory));
        }

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void AnySequenceOfPairs_AddReportsFirstOccurrenceOnly()
    {
        Prop.ForAll(
            Gen.Choose(0, 4).Zip(Gen.Choose(1, 5_000)).ArrayOf().ToArbitrary(),
            pairs =>
            {
                var expected = new HashSet<(int, ulong)>();
                using var set = new ImportSeenSet(_directory);
                foreach (var (target, number) in pairs)
                {
                    if (expected.Add((target, (ulong)number)) != set.Add(target, (ulong)number))
                    {
                        return false;
                    }
                }

                return set.Count == expected.Count;
            }).QuickCheckThrowOnFailure();
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
