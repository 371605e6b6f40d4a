using OptOutGate.LoadTests.Redis;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Redis;

/// <summary>The race's Redis side against a real redis-server (started by the test on a free port).</summary>
public sealed class RedisSetClientTests
{
    [Fact]
    public async Task LoadedSet_AnswersEachBatchWithItsOptedOutCount_OnEveryConnection()
    {
        Assert.True(LoadTestOptions.TryParse(["race", "--dataset", "25000", "--batch-size", "200", "--opted-out-share", "0.05"], out var options, out var error), error);
        var space = new RecipientSpace(options.Seed);
        await using var server = await RedisServerProcess.StartAsync(options.RedisServer, CancellationToken.None);
        await using var redis = await RedisSetClient.ConnectAsync(server.Port, connections: 2, "optoutgate:test");

        Assert.Equal(25_000, await redis.LoadAsync(options.Dataset, space, CancellationToken.None));
        Assert.Equal(25_000, await redis.LoadAsync(options.Dataset, space, CancellationToken.None)); // Replaced, not added to.

        var pool = BatchPool.Create(options, space);
        var members = RedisSetClient.Members(pool);
        Assert.Equal(10, pool.ExpectedBlocked);
        for (var batch = 0; batch < members.Length; batch++)
        {
            Assert.Equal(pool.ExpectedBlocked, await redis.CountMembersAsync(worker: batch, members[batch]));
        }
    }
}
