using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Core.Index;
using EntryKind = OptOutGate.Core.Index.EntryKind;

namespace OptOutGate.Core.Decisions;

/// <summary>
/// The verdict for one recipient (docs/gate-internals.md "Decision rules"). Pure: no I/O, no allocation, so the
/// decision table can be tested exhaustively and the hot path stays small. The order of the rules is the
/// compliance argument: operator mutes first, then opt-outs, and a bypass lifts only opt-outs.
/// </summary>
internal static class DecisionRules
{
    /// <summary>Every type but CONFIRMATION: what an opt-out blocks where no blocking rule says otherwise (DESIGN.md).</summary>
    public const byte DefaultBlockedMask = State.SmsTypeMasks.DefaultBlocked;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte MaskOf(SmsType type) => State.SmsTypeMasks.Of(type);

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

        // 3. Opt-outs block what the blocking rule of (sender, app) says, tenant-wide first.
        Decision blocked;
        if ((blockedByRule & typeBit) != 0 && entries.TryGet(EntryKind.OptOut, EntryScope.Tenant, out _))
        {
            blocked = new Decision(Verdict.BlockedTenantOptOut, new DecidingEntry(true, EntryKind.OptOut, EntryScope.Tenant));
        }
        else if ((blockedByRule & typeBit) != 0 && TryFindOptOutAtSender(entries, out var optOut))
        {
            blocked = new Decision(Verdict.BlockedOptedOut, optOut);
        }
        else
        {
            return new Decision(Verdict.Allowed, default);
        }

        // 4. A bypass covering the type lifts an opt-out; the verdict says so, and explain names both entries.
        return TryFindCovering(entries, EntryKind.Bypass, typeBit, out var bypass)
            ? new Decision(Verdict.AllowedBypass, bypass, blocked.Decider)
            : blocked;
    }

    private static bool TryFindOptOutAtSender(in RecipientEntries entries, out DecidingEntry decider)
    {
        // The app-scoped entry is the more specific one, so explanations name it when both exist.
        if (entries.TryGet(EntryKind.OptOut, EntryScope.SenderApp, out _))
        {
            decider = new DecidingEntry(true, EntryKind.OptOut, EntryScope.SenderApp);
            return true;
        }

        if (entries.TryGet(EntryKind.OptOut, EntryScope.Sender, out _))
        {
            decider = new DecidingEntry(true, EntryKind.OptOut, EntryScope.Sender);
            return true;
        }

        decider = default;
        return false;
    }

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
