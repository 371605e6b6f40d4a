using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;

namespace OptOutGate.Engine.Tests.History;

public sealed class PageTokenTests
{
    [Fact]
    public void RoundTrip_SameListAndFingerprint_GivesThePositionBack()
    {
        var text = new PageToken(12345, "sender\napp").Encode(PageList.History, 42);

        Assert.True(PageToken.TryDecode(text, PageList.History, 42, out var token));
        Assert.Equal(12345UL, token.Position);
        Assert.Equal("sender\napp", token.Key);
    }

    [Theory]
    [InlineData("garbage!!")]
    [InlineData("AAAA")]
    [InlineData("")]
    public void Garbage_DoesNotDecode(string text) =>
        Assert.False(PageToken.TryDecode(text, PageList.History, 42, out _));

    [Fact]
    public void OtherFilters_OtherOrder_OtherTenant_OrOtherList_DoNotDecode()
    {
        Assert.True(HistoryQuery.TryCreate("t1", new HistoryFilter { Sender = "A" }, out var query, out _));
        Assert.True(HistoryQuery.TryCreate("t1", new HistoryFilter { Sender = "B" }, out var other, out _));
        Assert.True(HistoryQuery.TryCreate("t2", new HistoryFilter { Sender = "A" }, out var otherTenant, out _));
        var text = new PageToken(7, "").Encode(PageList.History, query.Fingerprint(newestFirst: false));

        Assert.True(PageToken.TryDecode(text, PageList.History, query.Fingerprint(false), out _));
        Assert.False(PageToken.TryDecode(text, PageList.History, other.Fingerprint(false), out _));
        Assert.False(PageToken.TryDecode(text, PageList.History, query.Fingerprint(true), out _));
        Assert.False(PageToken.TryDecode(text, PageList.History, otherTenant.Fingerprint(false), out _));
        Assert.False(PageToken.TryDecode(text, PageList.Entries, query.Fingerprint(false), out _));
    }

    [Theory]
    [InlineData("+1415", "recipient")]
    [InlineData("", "include_tenant_wide")]
    public void BadFilters_AreRefused_NamingTheField(string recipient, string field)
    {
        var filter = new HistoryFilter { Recipient = recipient, IncludeTenantWide = recipient.Length == 0 };

        Assert.False(HistoryQuery.TryCreate("t1", filter, out _, out var error));
        Assert.Contains(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EndBeforeStart_IsRefused()
    {
        var now = DateTime.UtcNow;
        var filter = new HistoryFilter
        {
            TimeRange = new TimeRange
            {
                StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now),
                EndTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now.AddHours(-1)),
            },
        };

        Assert.False(HistoryQuery.TryCreate("t1", filter, out _, out var error));
        Assert.Contains("end_time", error, StringComparison.Ordinal);
    }
}
