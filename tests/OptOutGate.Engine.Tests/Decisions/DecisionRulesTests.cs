using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Storage.Index;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Decisions;

/// <summary>The decision table of docs/gate-internals.md, row by row.</summary>
public sealed class DecisionRulesTests
{
    private const byte All = 0b1_1110;
    private const byte Marketing = 1 << (int)SmsType.Marketing;
    private const byte Notification = 1 << (int)SmsType.Notification;
    private const byte Confirmation = 1 << (int)SmsType.Confirmation;

    public static TheoryData<string, string, SmsType, byte, int, Verdict, string> Rows() => new()
    {
        // name, entries ("kind:scope:mask" comma list), type, rule mask, confirmation, verdict, decider
        { "no entries", "", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "opt-out at sender", "O:S:0", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "opt-out at sender+app", "O:A:0", SmsType.Notification, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:A" },
        { "app entry named before sender entry", "O:S:0,O:A:0", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:A" },
        { "tenant-wide opt-out", "O:T:0", SmsType.Verification, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedTenantOptOut, "O:T" },
        { "tenant-wide beats sender", "O:S:0,O:T:0", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedTenantOptOut, "O:T" },
        { "rule lets notification through", "O:S:0", SmsType.Notification, Marketing, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "rule lets notification through tenant-wide too", "O:T:0", SmsType.Notification, Marketing, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "rule edit to block notification", "O:S:0", SmsType.Notification, (byte)(Marketing | Notification), (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "suppression covering type", $"P:T:{Marketing}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedSuppressed, "P:T" },
        { "suppression not covering type", $"P:S:{Marketing}", SmsType.Verification, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "suppression beats opt-out", $"O:S:0,P:S:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedSuppressed, "P:S" },
        { "bypass lifts sender opt-out", $"O:S:0,B:S:{Notification}", SmsType.Notification, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.AllowedBypass, "B:S" },
        { "bypass lifts tenant-wide opt-out", $"O:T:0,B:T:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.AllowedBypass, "B:T" },
        { "bypass of another type does not lift", $"O:S:0,B:S:{Notification}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "bypass does not lift suppression", $"P:S:{All},B:S:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedSuppressed, "P:S" },
        { "bypass alone changes nothing", $"B:S:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "sender bypass lifts tenant-wide and sender opt-outs", $"O:S:0,O:T:0,B:S:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.AllowedBypass, "B:S" },
        { "tenant bypass does not lift a sender opt-out", $"O:S:0,B:T:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "tenant bypass lifts tenant-wide, the sender opt-out keeps blocking", $"O:S:0,O:T:0,B:T:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "sender bypass does not lift an app opt-out", $"O:A:0,B:S:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:A" },
        { "app bypass lifts every wider opt-out", $"O:A:0,O:S:0,O:T:0,B:A:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.AllowedBypass, "B:A" },
        { "bypass does not lift a tenant-wide suppression", $"P:T:{All},B:A:{All}", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedSuppressed, "P:T" },
        { "address opt-in lifts tenant-wide opt-out", "O:T:0,I:S:0", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.Allowed, "-" },
        { "address opt-in leaves sender opt-out", "O:T:0,O:S:0,I:S:0", SmsType.Marketing, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedOptedOut, "O:S" },
        { "confirmation in open window", "O:S:0", SmsType.Confirmation, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.Open, Verdict.Allowed, "-" },
        { "second confirmation", "O:S:0", SmsType.Confirmation, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.Used, Verdict.BlockedConfirmation, "-" },
        { "confirmation without window", "", SmsType.Confirmation, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.None, Verdict.BlockedConfirmation, "-" },
        { "confirmation muted", $"P:T:{Confirmation}", SmsType.Confirmation, DecisionRules.DefaultBlockedMask, (int)ConfirmationState.Open, Verdict.BlockedSuppressed, "P:T" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decide_FollowsTheTable(string name, string entries, SmsType type, byte rule, int confirmation, Verdict expected, string decider)
    {
        var found = Parse(entries);

        var decision = DecisionRules.Decide(found, type, rule, (ConfirmationState)confirmation);

        Assert.True(expected == decision.Verdict, $"{name}: expected {expected}, got {decision.Verdict}");
        Assert.Equal(decider, Describe(decision.Decider));
        Assert.Equal(expected == Verdict.Allowed && type == SmsType.Confirmation, decision.UsesConfirmation);
    }

    [Fact]
    public void Bypass_NamesTheOptOutItLifted()
    {
        var found = Parse($"O:A:0,B:A:{All}");

        var decision = DecisionRules.Decide(found, SmsType.Marketing, DecisionRules.DefaultBlockedMask, ConfirmationState.None);

        Assert.Equal(Verdict.AllowedBypass, decision.Verdict);
        Assert.Equal("O:A", Describe(decision.Bypassed));
    }

    private static RecipientEntries Parse(string spec)
    {
        var entries = default(RecipientEntries);
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = part.Split(':');
            var kind = f[0] switch { "O" => EntryKind.OptOut, "P" => EntryKind.Suppression, "I" => EntryKind.AddressOptIn, _ => EntryKind.Bypass };
            var scope = f[1] switch { "S" => EntryScope.Sender, "A" => EntryScope.SenderApp, _ => EntryScope.Tenant };
            entries.Set(kind, scope, EntryValue.Create(7, byte.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), (byte)Source.Api));

            // As the check path decides it: an address opt-in lifts the tenant-wide opt-out (here always the newer one).
            entries.TenantOptOutLifted |= kind == EntryKind.AddressOptIn;
        }

        return entries;
    }

    private static string Describe(DecidingEntry entry)
    {
        if (!entry.Found)
        {
            return "-";
        }

        var kind = entry.Kind switch { EntryKind.OptOut => "O", EntryKind.Suppression => "P", _ => "B" };
        var scope = entry.Scope switch { EntryScope.Sender => "S", EntryScope.SenderApp => "A", _ => "T" };
        return kind + ":" + scope;
    }
}
