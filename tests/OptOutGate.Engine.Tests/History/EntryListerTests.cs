using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using IndexKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.History;

public sealed class EntryListerTests
{
    private const string Tenant = "tenant-a";
    private const string Sender = "+18005550100";

    [Fact]
    public async Task Pages_InSequenceOrder_FilteredByKindAndTenant_EachEntryOnce()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var recipients = Enumerable.Range(0, 25).Select(i => "+1415555" + (1000 + i)).ToArray();
        await engine.OptOutAsync(Tenant, Sender, recipients);
        await engine.OptOutAsync("tenant-b", Sender, recipients);
        await engine.WriteAsync(Tenant, Sender, IndexKind.Suppression, EntryWriteOperation.Add, recipients[..3], mask: 2);
        await engine.RemoveAsync(Tenant, Sender, recipients[0]);
        var lister = EntryLister.For(engine);
        Assert.True(EntryQuery.TryCreate(Tenant, new EntryFilter { Kind = EntryKind.OptOut }, out var query, out _));

        var listed = new List<Entry>();
        var after = 0UL;
        do
        {
            var page = await lister.ListPageAsync(query, after, 4, default);
            listed.AddRange(page.Entries);
            after = page.NextAfter;
        }
        while (after != 0);

        Assert.Equal(recipients[1..], listed.Select(e => e.Recipient));
        Assert.Equal(listed.Select(e => e.Sequence).Order(), listed.Select(e => e.Sequence));
        Assert.All(listed, e => Assert.Equal(Source.Api, e.Source));
        Assert.All(listed, e => Assert.Equal("test", e.Reason));
    }

    [Fact]
    public async Task RecipientFilter_FindsEveryKindAndScope_OfThatRecipientOnly()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.OptOutAsync(Tenant, Sender, "+14155550100", "+14155550101");
        await engine.WriteAsync(Tenant, Sender, IndexKind.Bypass, EntryWriteOperation.Add, ["+14155550100"], mask: 2, scope: Scope.SenderApp, app: "app1");
        var lister = EntryLister.For(engine);
        Assert.True(EntryQuery.TryCreate(Tenant, new EntryFilter { Recipient = "+14155550100" }, out var query, out _));

        var page = await lister.ListPageAsync(query, 0, 100, default);
        var exported = new List<Entry>();
        await foreach (var entry in lister.ReadAllAsync(query, default))
        {
            exported.Add(entry);
        }

        Assert.Equal([EntryKind.OptOut, EntryKind.Bypass], page.Entries.Select(e => e.Kind));
        Assert.Equal("app1", page.Entries[1].App);
        Assert.Equal([SmsType.Marketing], page.Entries[1].SmsTypes);
        Assert.Equal(2, exported.Count);
    }

    [Fact]
    public async Task PageCost_IsTheSameWhereverThePageStarts_AcrossAMillionEntries()
    {
        const int entries = 1_000_000;
        const int pageSize = 100;
        using var dir = new EngineTestDirectory();
        var options = dir.Options();
        options.ExpectedEntries = entries;
        options.IndexMemorySizeBits = 28;
        options.IndexPageSizeBits = 22;
        options.IndexSegmentSizeBits = 30;
        await using var engine = await GateEngine.OpenAsync(options, NullLoggerFactory.Instance, dir.Time, CancellationToken.None);
        for (var start = 0; start < entries; start += 10_000)
        {
            await engine.OptOutAsync(Tenant, Sender, Numbers(start, 10_000));
        }

        var lister = EntryLister.For(engine);
        Assert.True(EntryQuery.TryCreate(Tenant, new EntryFilter { Kind = EntryKind.OptOut }, out var query, out _));

        // One record per entry: every page reads exactly the records of its own entries, from the first page to the
        // last (a scan from the start would read all million for each).
        foreach (var after in (ulong[])[0, 250_000, 500_000, 750_000, 999_800])
        {
            var page = await lister.ListPageAsync(query, after, pageSize, default);
            Assert.Equal(pageSize, page.Entries.Count);
            Assert.Equal(pageSize, page.Visited);
            Assert.Equal(Enumerable.Range(1, pageSize).Select(i => after + (ulong)i), page.Entries.Select(e => e.Sequence));
            Assert.Equal(after + pageSize, page.NextAfter);
            Assert.Equal(Numbers((int)after, pageSize), page.Entries.Select(e => e.Recipient));
        }

        var last = await lister.ListPageAsync(query, entries - 40, pageSize, default);
        Assert.Equal(40, last.Entries.Count);
        Assert.Equal(40, last.Visited);
        Assert.Equal(0UL, last.NextAfter);
    }

    [Fact]
    public async Task ChurnedHistory_PagesEndShortAtTheirBudget_AndTogetherListEveryLiveEntryOnce()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var recipients = Numbers(0, 3_000);
        await engine.OptOutAsync(Tenant, Sender, recipients);

        // Two thirds removed and added again, twice: most of the history is superseded changes.
        for (var round = 0; round < 2; round++)
        {
            var churned = recipients.Where((_, i) => i % 3 != 0).ToArray();
            await engine.RemoveAsync(Tenant, Sender, churned);
            await engine.OptOutAsync(Tenant, Sender, churned);
        }

        await engine.OptOutAsync("tenant-b", Sender, recipients);
        var lister = EntryLister.For(engine);
        Assert.True(EntryQuery.TryCreate(Tenant, new EntryFilter(), out var query, out _));

        var listed = new List<Entry>();
        var after = 0UL;
        var pages = 0;
        do
        {
            var page = await lister.ListPageAsync(query, after, 1_000, default);
            Assert.True(page.Visited <= Math.Max(1_000 * EntryLister.VisitsPerEntry, EntryLister.MinVisits), $"a page read {page.Visited} records");
            listed.AddRange(page.Entries);
            after = page.NextAfter;
            pages++;
        }
        while (after != 0);

        Assert.Equal(recipients.Order(StringComparer.Ordinal), listed.Select(e => e.Recipient).Order(StringComparer.Ordinal));
        Assert.Equal(listed.Select(e => e.Sequence).Order(), listed.Select(e => e.Sequence));
        Assert.True(pages >= 3, $"{pages} pages");
    }

    private static string[] Numbers(int start, int count) =>
        Enumerable.Range(start, count).Select(i => "+1" + (4_153_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
}
