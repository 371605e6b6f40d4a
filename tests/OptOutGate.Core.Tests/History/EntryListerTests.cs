using OptOutGate.Contracts.V1;
using OptOutGate.Core.History;
using OptOutGate.Core.Tests.Engine;
using OptOutGate.Core.Writes;
using IndexKind = OptOutGate.Core.Index.EntryKind;

namespace OptOutGate.Core.Tests.History;

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
}
