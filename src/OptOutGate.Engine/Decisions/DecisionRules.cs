using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Index;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The verdict for one recipient (docs/gate-internals.md "Decision rules"). Pure: no I/O, no allocation, so the
/// decision table can be tested exhaustively and the hot path stays small. The order of the rules is the
/// compliance argument: operator mutes first, then opt-outs, and a bypass lifts only opt-outs of its own or a wider
/// scope (DESIGN.md "Deciding a send").
/// </summary>
internal static class DecisionRules
{
    /// <summary>Every type but CONFIRMATION: what an opt-out blocks where no blocking rule says otherwise (DESIGN.md).</summary>
    public const byte DefaultBlockedMask = Storage.State.SmsTypeMasks.DefaultBlocked;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte MaskOf(SmsType type) => Storage.State.SmsTypeMasks.Of(type);

    /// <param name="entries">The recipient's entries in the three scopes.</param>
    /// <param name="type">The SMS type to be sent (never UNSPECIFIED: the request was validated).</param>
    /// <param name="blockedByRule">Types an opt-out blocks at (sender, app): the blocking rule, or <see cref="DefaultBlockedMask"/>.</param>
    /// <param name="confirmation">The recipient's confirmation window at this sender (only read for CONFIRMATION).</param>
    public static Decision Decide(in RecipientEntries entries, SmsType type, byte blockedByRule, ConfirmationState confirmation)
    {
        var typeBit = MaskOf(type);

        // 1. Operator mutes block every type they name, CONFIRMATION included, and no bypass lifts them.
        if (TryFindCovering(entries, EntryKind.Suppression, typeBit, out var suppression))
        {
            return new Decision(Verdict.BlockedSuppressed, suppression);
        }

        // 2. CONFIRMATION follows its own rule: exactly one within the window after an opt-out or opt-in.
        if (type == SmsType.Confirmation)
        {
            return confirmation == ConfirmationState.Open
                ? new Decision(Verdict.Allowed, default, UsesConfirmation: true)
                : new Decision(Verdict.BlockedConfirmation, default);
        }

        // 3. Opt-outs block what the blocking rule of (sender, app) says, tenant-wide first. A tenant-wide opt-out does
        // not block where the recipient opted in again at this sender after it (an address opt-in).
        if ((blockedByRule & typeBit) == 0)
        {
            return new Decision(Verdict.Allowed, default);
        }

        var tenantWide = !entries.TenantOptOutLifted && entries.TryGet(EntryKind.OptOut, EntryScope.Tenant, out _);
        var atSender = entries.TryGet(EntryKind.OptOut, EntryScope.Sender, out _);
        var atSenderApp = entries.TryGet(EntryKind.OptOut, EntryScope.SenderApp, out _);
        if (!tenantWide && !atSender && !atSenderApp)
        {
            return new Decision(Verdict.Allowed, default);
        }

        var blocked = Blocking(tenantWide, atSender, atSenderApp);

        // 4. A bypass lifts opt-outs of its own or a wider scope, never a narrower one: the narrowest covering bypass
        // decides (a SENDER bypass lifts the sender's and the tenant-wide opt-out, a TENANT bypass only the
        // tenant-wide one). What it does not lift keeps blocking, and the verdict names that.
        if (!TryFindCovering(entries, EntryKind.Bypass, typeBit, out var bypass))
        {
            return blocked;
        }

        var width = Width(bypass.Scope);
        tenantWide &= width > Width(EntryScope.Tenant);
        atSender &= width > Width(EntryScope.Sender);
        atSenderApp &= width > Width(EntryScope.SenderApp);
        return tenantWide || atSender || atSenderApp
            ? Blocking(tenantWide, atSender, atSenderApp)
            : new Decision(Verdict.AllowedBypass, bypass, blocked.Decider);
    }

    private static Decision Blocking(bool tenantWide, bool atSender, bool atSenderApp) =>
        tenantWide ? new Decision(Verdict.BlockedTenantOptOut, new DecidingEntry(true, EntryKind.OptOut, EntryScope.Tenant))

            // The app-scoped entry is the more specific one, so explanations name it when both exist.
            : atSenderApp ? new Decision(Verdict.BlockedOptedOut, new DecidingEntry(true, EntryKind.OptOut, EntryScope.SenderApp))
            : new Decision(Verdict.BlockedOptedOut, new DecidingEntry(true, EntryKind.OptOut, EntryScope.Sender));

    /// <summary>How wide a scope is: (sender, app) 0, (sender) 1, tenant-wide 2.</summary>
    private static int Width(EntryScope scope) => scope switch
    {
        EntryScope.SenderApp => 0,
        EntryScope.Sender => 1,
        _ => 2,
    };

    private static bool TryFindCovering(in RecipientEntries entries, EntryKind kind, byte typeBit, out DecidingEntry decider)
    {
        for (var scope = EntryScope.SenderApp; ; scope = Next(scope))
        {
            if (entries.TryGet(kind, scope, out var value) && (value.SmsTypeMask & typeBit) != 0)
            {
                decider = new DecidingEntry(true, kind, scope);
                return true;
            }

            if (scope == EntryScope.Tenant)
            {
                decider = default;
                return false;
            }
        }
    }

    // Most specific first: (sender, app), then (sender), then tenant-wide.
    private static EntryScope Next(EntryScope scope) => scope == EntryScope.SenderApp ? EntryScope.Sender : EntryScope.Tenant;
}
