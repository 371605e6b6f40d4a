using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using IndexKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Decisions;

public sealed class PointInTimeCheckTests
{
    private const string Tenant = "tenant-a";
    private const string Sender = "+18005550100";
    private const string Recipient = "+14155550101";

    [Fact]
    public async Task OptOutThenRemoval_VerdictFollowsTheTimeAsked()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var before = Now(dir);
        dir.Time.Advance(TimeSpan.FromHours(1));
        await engine.OptOutAsync(Tenant, Sender, Recipient);
        dir.Time.Advance(TimeSpan.FromHours(1));
        var during = Now(dir);
        dir.Time.Advance(TimeSpan.FromHours(1));
        await engine.RemoveAsync(Tenant, Sender, Recipient);
        dir.Time.Advance(TimeSpan.FromHours(1));
        var after = Now(dir);
        var check = PointInTimeCheck.For(engine);

        var atBefore = await CheckAsync(check, SmsType.Marketing, before);
        var atDuring = await CheckAsync(check, SmsType.Marketing, during);
        var atAfter = await CheckAsync(check, SmsType.Marketing, after);

        Assert.Equal(Verdict.Allowed, atBefore.Verdict);
        Assert.Equal(Verdict.BlockedOptedOut, atDuring.Verdict);
        Assert.Equal(1UL, atDuring.Decider!.Sequence);
        Assert.Equal(RuleSource.Default, atDuring.RuleSource);
        Assert.Equal(Verdict.Allowed, atAfter.Verdict);
        Assert.Equal(2UL, atAfter.Sequence);
    }

    [Fact]
    public async Task BlockingRuleInForceThen_DecidesNotTodaysRule()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.PutAddressAsync(Tenant, Sender);
        await engine.PutRuleAsync(Tenant, Sender, "", SmsType.Marketing);
        await engine.OptOutAsync(Tenant, Sender, Recipient);
        dir.Time.Advance(TimeSpan.FromHours(1));
        var marketingOnly = Now(dir);
        dir.Time.Advance(TimeSpan.FromHours(1));
        await engine.PutRuleAsync(Tenant, Sender, "", SmsType.Marketing, SmsType.Notification);
        dir.Time.Advance(TimeSpan.FromHours(1));
        var both = Now(dir);
        var check = PointInTimeCheck.For(engine);

        var thenNotification = await CheckAsync(check, SmsType.Notification, marketingOnly);
        var thenMarketing = await CheckAsync(check, SmsType.Marketing, marketingOnly);
        var nowNotification = await CheckAsync(check, SmsType.Notification, both);

        Assert.Equal(Verdict.Allowed, thenNotification.Verdict);
        Assert.Equal(Verdict.BlockedOptedOut, thenMarketing.Verdict);
        Assert.Equal(RuleSource.History, thenMarketing.RuleSource);
        Assert.Equal(Verdict.BlockedOptedOut, nowNotification.Verdict);
    }

    [Fact]
    public async Task SuppressionAndBypass_AreReplayed_AndOtherTenantsAreInvisible()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.OptOutAsync("tenant-b", Sender, Recipient);
        await engine.OptOutAsync(Tenant, Sender, Recipient);
        await engine.WriteAsync(Tenant, Sender, IndexKind.Bypass, EntryWriteOperation.Add, [Recipient], mask: 1 << (int)SmsType.Verification);
        dir.Time.Advance(TimeSpan.FromMinutes(1));
        var check = PointInTimeCheck.For(engine);

        var verification = await CheckAsync(check, SmsType.Verification, Now(dir));
        var otherTenant = await check.CheckAsync("tenant-c", Parse(Recipient), Sender, "", SmsType.Marketing, Now(dir), default);

        Assert.Equal(Verdict.AllowedBypass, verification.Verdict);
        Assert.Equal(EntryKind.Bypass, verification.Decider!.Kind);
        Assert.Equal(EntryKind.OptOut, verification.Bypassed!.Kind);
        Assert.Equal(Verdict.Allowed, otherTenant.Verdict);
    }

    private static DateTime Now(EngineTestDirectory dir) => dir.Time.GetUtcNow().UtcDateTime;

    private static ulong Parse(string recipient) => E164.TryParse(recipient, out var n) ? n : throw new ArgumentException(recipient);

    private static Task<PointInTimeResult> CheckAsync(PointInTimeCheck check, SmsType type, DateTime time) =>
        check.CheckAsync(Tenant, Parse(Recipient), Sender, "", type, time, default);
}
