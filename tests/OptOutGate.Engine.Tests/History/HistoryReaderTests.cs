using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using IndexKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.History;

public sealed class HistoryReaderTests
{
    private const string TenantA = "tenant-a";
    private const string TenantB = "tenant-b";
    private const string S1 = "+18005550100";
    private const string S2 = "+18005550111";
    private const string R1 = "+14155550101";
    private const string R2 = "+14155550102";

    [Fact]
    public async Task ByRecipient_FollowsItsChain_OnlyItsRecords_BothOrders()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.OptOutAsync(TenantA, S1, R1);      // 1
        await engine.OptOutAsync(TenantA, S1, R2);      // 2
        await engine.OptOutAsync(TenantA, S2, R1);      // 3
        await engine.OptOutAsync(TenantB, S1, R1);      // 4: other tenant, same recipient
        await engine.RemoveAsync(TenantA, S1, R1);      // 5
        var reader = HistoryReader.For(engine);

        var oldest = await reader.ReadPageAsync(Query(new HistoryFilter { Recipient = R1 }), 0, 100, newestFirst: false, default);
        var newest = await reader.ReadPageAsync(Query(new HistoryFilter { Recipient = R1 }), 0, 100, newestFirst: true, default);

        Assert.Equal([1UL, 3, 5], oldest.Records.Select(r => r.Sequence));
        Assert.Equal([5UL, 3, 1], newest.Records.Select(r => r.Sequence));
        Assert.All(oldest.Records, r => Assert.Equal(TenantA, r.TenantId));
        Assert.Equal(0UL, oldest.Next);
    }

    [Fact]
    public async Task BySender_FollowsItsChain_AndIncludeTenantWide_AddsTenantWideRecords()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.OptOutAsync(TenantA, S1, R1);                                                               // 1
        await engine.OptOutAsync(TenantA, S2, R1);                                                               // 2
        await engine.WriteAsync(TenantA, "", IndexKind.OptOut, EntryWriteOperation.Add, [R2], scope: Scope.Tenant); // 3
        await engine.OptOutAsync(TenantA, S1, R2);                                                               // 4
        var reader = HistoryReader.For(engine);

        var bySender = await reader.ReadPageAsync(Query(new HistoryFilter { Sender = S1 }), 0, 100, false, default);
        var withTenantWide = await reader.ReadPageAsync(Query(new HistoryFilter { Sender = S1, IncludeTenantWide = true }), 0, 100, false, default);

        Assert.Equal([1UL, 4], bySender.Records.Select(r => r.Sequence));
        Assert.Equal([1UL, 3, 4], withTenantWide.Records.Select(r => r.Sequence));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paging_ThroughEveryFilterKind_VisitsEachRecordOnce(bool newestFirst)
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        for (var i = 0; i < 7; i++)
        {
            await engine.OptOutAsync(TenantA, i % 2 == 0 ? S1 : S2, R1);
            await engine.OptOutAsync(TenantB, S1, R1);
        }

        var reader = HistoryReader.For(engine);
        foreach (var filter in new[] { new HistoryFilter { Recipient = R1 }, new HistoryFilter { Sender = S1 }, new HistoryFilter() })
        {
            var query = Query(filter);
            var all = (await reader.ReadPageAsync(query, 0, 1000, newestFirst, default)).Records.Select(r => r.Sequence).ToList();
            var paged = new List<ulong>();
            var position = 0UL;
            var pages = 0;
            do
            {
                var page = await reader.ReadPageAsync(query, position, 2, newestFirst, default);
                paged.AddRange(page.Records.Select(r => r.Sequence));
                position = page.Next;
                pages++;
            }
            while (position != 0 && pages < 100);

            Assert.Equal(all, paged);
            Assert.True(pages >= all.Count / 2, $"{pages} pages for {all.Count} records");
            Assert.Equal(newestFirst ? all.OrderByDescending(s => s) : all.Order(), all);
        }
    }

    [Fact]
    public async Task TimeRange_BinarySearchOfReceiveTime_FindsTheWindow()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var times = new List<DateTime>();
        for (var i = 0; i < 20; i++)
        {
            times.Add(dir.Time.GetUtcNow().UtcDateTime);
            await engine.OptOutAsync(TenantA, S1, "+1415555" + (1000 + i));
            dir.Time.Advance(TimeSpan.FromHours(3));
        }

        var first = await ReceiveTimeSearch.FirstAtOrAfterAsync(engine.Log, 1, engine.Log.LastSequence, times[7], default);
        var between = await ReceiveTimeSearch.FirstAtOrAfterAsync(engine.Log, 1, engine.Log.LastSequence, times[7].AddMinutes(1), default);
        var after = await ReceiveTimeSearch.FirstAtOrAfterAsync(engine.Log, 1, engine.Log.LastSequence, times[^1].AddDays(1), default);
        var reader = HistoryReader.For(engine);
        var filter = new HistoryFilter { TimeRange = new TimeRange { StartTime = Timestamp.FromDateTime(times[5]), EndTime = Timestamp.FromDateTime(times[9]) } };
        var page = await reader.ReadPageAsync(Query(filter), 0, 100, false, default);
        var newest = await reader.ReadPageAsync(Query(filter), 0, 100, true, default);

        Assert.Equal(8UL, first);
        Assert.Equal(9UL, between);
        Assert.Equal(21UL, after);
        Assert.Equal([6UL, 7, 8, 9], page.Records.Select(r => r.Sequence));
        Assert.Equal([9UL, 8, 7, 6], newest.Records.Select(r => r.Sequence));
    }

    [Fact]
    public async Task CombinedFilters_RecipientSenderActionAndSource_AllMustMatch()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.OptOutAsync(TenantA, S1, R1);
        await engine.OptOutAsync(TenantA, S2, R1);
        await engine.RemoveAsync(TenantA, S1, R1);
        await engine.WriteAsync(TenantA, S1, IndexKind.Suppression, EntryWriteOperation.Add, [R1], mask: 2);
        var reader = HistoryReader.For(engine);
        var filter = new HistoryFilter { Recipient = R1, Sender = S1, Actions = { ChangeAction.OptOut, ChangeAction.OptOutRemoved }, Sources = { Source.Api } };

        var page = await reader.ReadPageAsync(Query(filter), 0, 100, false, default);

        Assert.Equal([1UL, 3], page.Records.Select(r => r.Sequence));
    }

    [Fact]
    public async Task ExportReadAll_OldestFirst_MatchesThePagedList()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        for (var i = 0; i < 30; i++)
        {
            await engine.OptOutAsync(i % 3 == 0 ? TenantB : TenantA, i % 2 == 0 ? S1 : S2, "+1415555" + (1000 + (i % 5)));
        }

        var reader = HistoryReader.For(engine);
        foreach (var filter in new[] { new HistoryFilter(), new HistoryFilter { Sender = S2 }, new HistoryFilter { Recipient = "+14155551001" } })
        {
            var exported = new List<ulong>();
            await foreach (var record in reader.ReadAllAsync(Query(filter), reader.AppliedSequence, default))
            {
                exported.Add(record.Sequence);
            }

            var listed = (await reader.ReadPageAsync(Query(filter), 0, 1000, false, default)).Records.Select(r => r.Sequence);
            Assert.Equal(listed, exported);
            Assert.NotEmpty(exported);
        }
    }

    private static HistoryQuery Query(HistoryFilter filter)
    {
        Assert.True(HistoryQuery.TryCreate(TenantA, filter, out var query, out var error), error);
        return query;
    }
}
