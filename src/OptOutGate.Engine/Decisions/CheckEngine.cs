using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The one entry of a CheckBatch into the engine (<see cref="CheckAsync"/>): one call per batch, which waits for the
/// batch's min_sequence, checks, spends CONFIRMATION windows, explains, and returns the counts and sequence or an
/// <see cref="EngineError"/>. The check itself (docs/gate-internals.md, "Decisions"): recipients already parsed to
/// numbers (0 = not a valid number), the scope ids and the blocking rule resolved once per batch, one pre-filter probe
/// per recipient (with prefetching), and only for possible hits up to nine index reads (three kinds × three scopes)
/// through one rented <see cref="IndexReader"/> for the whole batch; then <see cref="DecisionRules.Decide"/>. The
/// verdicts go into the caller's span: nothing is allocated per recipient (explain aside, which is for audits).
/// </summary>
/// <remarks>
/// An allowed CONFIRMATION spends its window: the batch submits one <see cref="ConfirmationUseRequest"/> for all of them
/// and answers ALLOWED only for the items the write pipeline granted (durable and applied); when two checks race for one
/// window, the pipeline's validation lets exactly one win and the loser gets BLOCKED_CONFIRMATION.
/// </remarks>
internal sealed partial class CheckEngine
{
    /// <summary>The contract's limit (gate.proto); the caller validates, the engine only sizes its scratch space by it.</summary>
    public const int MaxRecipients = 10_000;

    private const int StackFilterLimit = MaxRecipients;

    private readonly EntryIndex _index;
    private readonly ScopeTable _scopes;
    private readonly GateConfig _config;
    private readonly GateStateApplier _applier;
    private readonly WritePipeline? _writes;
    private readonly TimeProvider _time;
    private readonly ChangeLog? _log;

    public CheckEngine(GateEngine engine, TimeProvider time)
        : this(engine.Index, engine.Scopes, engine.Config, engine.Applier, engine.Writes, time, engine.Log)
    {
    }

    /// <param name="writes">Where CONFIRMATION uses are written; null = every CONFIRMATION is blocked (read-only use).</param>
    /// <param name="log">Where explanations read the deciding entries' records; null = explanations name sequences only.</param>
    public CheckEngine(EntryIndex index, ScopeTable scopes, GateConfig config, GateStateApplier applier, WritePipeline? writes, TimeProvider time, ChangeLog? log = null)
    {
        _log = log;
        _index = index;
        _scopes = scopes;
        _config = config;
        _applier = applier;
        _writes = writes;
        _time = time;
    }

    /// <summary>
    /// Parses recipients as E.164 into numbers; 0 marks a malformed one or one no numbering plan allows (no valid number
    /// is 0: the first digit never is).
    /// </summary>
    public static void ParseRecipients(IReadOnlyList<string> recipients, Span<ulong> numbers)
    {
        var plans = NumberingPlan.Table;
        for (var i = 0; i < recipients.Count; i++)
        {
            numbers[i] = E164.TryParseValid(recipients[i], plans, out var number) ? number : 0;
        }
    }

    /// <summary>
    /// Checks a batch: <paramref name="verdicts"/>[i] answers <paramref name="recipients"/>[i], and the result holds the
    /// counts and the sequence the answer reflects. Completes synchronously unless it must wait: for
    /// <see cref="CheckQuery.MinSequence"/> to be applied, or for the durable write that spends a CONFIRMATION's window.
    /// </summary>
    /// <remarks>
    /// Errors are values (<see cref="CheckResult.Error"/>): the engine stopped applying changes
    /// (<see cref="EngineError.StoppedApplying"/>); min_sequence beyond what the log committed (OutOfRange; a replica
    /// waits instead, as it learns of its primary's commits only as they arrive) or not reached within
    /// <see cref="CheckQuery.MaxWait"/> (DeadlineExceeded); a CONFIRMATION's window that could not be spent durably
    /// (<see cref="EngineError.OfWriteFailure"/>: read-only on a replica, else unavailable). It never answers ALLOWED
    /// for a CONFIRMATION whose window use is not durable. Cancelling <paramref name="ct"/> (the call's deadline) throws
    /// <see cref="OperationCanceledException"/>; damaged history under an explanation throws DataDamagedException.
    /// </remarks>
    /// <param name="explanations">When <see cref="CheckQuery.Explain"/>: receives one explanation per recipient not ALLOWED, in order.</param>
    public ValueTask<CheckResult> CheckAsync(CheckQuery query, ReadOnlyMemory<ulong> recipients, Memory<Verdict> verdicts, IList<Explanation>? explanations, CancellationToken ct)
    {
        if (_applier.Fault is not null)
        {
            return new ValueTask<CheckResult>(CheckResult.Failed(EngineError.StoppedApplying));
        }

        return query.MinSequence > _applier.AppliedSequence
            ? WaitThenCheckAsync(query, recipients, verdicts, explanations, ct)
            : CheckAppliedAsync(query, recipients, verdicts, explanations, ct);
    }

    private async ValueTask<CheckResult> WaitThenCheckAsync(
        CheckQuery query, ReadOnlyMemory<ulong> recipients, Memory<Verdict> verdicts, IList<Explanation>? explanations, CancellationToken ct)
    {
        var minimum = query.MinSequence;
        if (_log is { } log && minimum > log.LastSequence && !log.IsReplica)
        {
            return CheckResult.Failed(new EngineError(
                EngineErrorKind.OutOfRange,
                string.Create(CultureInfo.InvariantCulture, $"min_sequence: {minimum} is beyond the last committed sequence {log.LastSequence}.")));
        }

        try
        {
            var applied = _applier.WaitForAppliedAsync(minimum, ct);
            await (query.MaxWait is { } maxWait ? applied.WaitAsync(maxWait, _time, ct) : applied).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return CheckResult.Failed(new EngineError(
                EngineErrorKind.DeadlineExceeded,
                string.Create(CultureInfo.InvariantCulture, $"min_sequence: {minimum} was not reached within max_wait ({query.MaxWait!.Value.TotalMilliseconds:0} ms).")));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The applier stopped while the batch waited for it.
            return CheckResult.Failed(EngineError.StoppedApplying);
        }

        return _applier.Fault is null
            ? await CheckAppliedAsync(query, recipients, verdicts, explanations, ct).ConfigureAwait(false)
            : CheckResult.Failed(EngineError.StoppedApplying);
    }

    private ValueTask<CheckResult> CheckAppliedAsync(CheckQuery query, ReadOnlyMemory<ulong> recipients, Memory<Verdict> verdicts, IList<Explanation>? explanations, CancellationToken ct)
    {
        var explain = query.Explain && explanations is not null ? new ExplainState(recipients.Length) : null;
        var result = Check(query, recipients.Span, verdicts.Span, explain, out var confirmations);
        if (confirmations == 0)
        {
            if (explain is null)
            {
                return new ValueTask<CheckResult>(result);
            }

            explain.Build(this, query, recipients.Span, verdicts.Span, explanations!);
            return CompleteExplanationsAsync(query, result, explanations!, ct);
        }

        return SpendConfirmationsAsync(query, recipients, verdicts, result, confirmations, explain, explanations, ct);
    }

    /// <summary>
    /// The synchronous core: verdicts and counts. <paramref name="confirmations"/> counts the recipients whose ALLOWED
    /// CONFIRMATION still needs its window spent (their verdict is ALLOWED here, provisionally).
    /// </summary>
    internal CheckResult Check(in CheckQuery query, ReadOnlySpan<ulong> recipients, Span<Verdict> verdicts, ExplainState? explain, out int confirmations)
    {
        if (verdicts.Length < recipients.Length)
        {
            ThrowVerdictsTooShort();
        }

        // Read before any lookup: every record up to it is in the index and configuration we are about to read.
        var sequence = _applier.AppliedSequence;
        var counts = default(CheckCounts);
        confirmations = 0;
        var scopes = CheckScopes.Resolve(_scopes, query.Tenant, query.Sender, query.App);
        var type = query.Type;
        var isConfirmation = type == SmsType.Confirmation;
        if (!scopes.Any)
        {
            // No scope of this tenant was ever named: no entries and no confirmation windows.
            var nothing = isConfirmation ? Verdict.BlockedConfirmation : Verdict.Allowed;
            for (var i = 0; i < recipients.Length; i++)
            {
                var verdict = recipients[i] == 0 ? Verdict.InvalidRecipient : nothing;
                verdicts[i] = verdict;
                counts.Add(verdict);
            }

            return new CheckResult(counts, sequence);
        }

        var rule = _config.GetBlockedMask(query.Tenant, query.Sender, query.App, out _);
        var now = isConfirmation ? _time.GetUtcNow().UtcDateTime : default;
        var n = recipients.Length;
        bool[]? rented = null;
        var mayContain = n <= StackFilterLimit ? stackalloc bool[n] : (rented = ArrayPool<bool>.Shared.Rent(n)).AsSpan(0, n);
        _index.MayContainRecipients(recipients, mayContain);
        IndexReader? reader = null;

        // The kinds of entry each of the three scopes may hold, once per batch (after the applied sequence, so that every
        // kind of a record up to it is marked): a "maybe" recipient is read only for those.
        var kinds = new ScopeKindsRead(
            _index.KindsIn(scopes.TenantId, scopes.SenderScopeId),
            _index.KindsIn(scopes.TenantId, scopes.SenderAppScopeId),
            _index.KindsIn(scopes.TenantId, scopes.TenantScopeId));
        PrefetchEntries(recipients, mayContain, scopes, kinds);
        uint allowedUnread = 0;
        try
        {
            var i = 0;
            while (i < n)
            {
                // Most of a batch: runs of valid numbers the filter rules out, ALLOWED without a look at each.
                var run = isConfirmation ? 0 : RuledOutRun(recipients, mayContain, i);
                if (run > 0)
                {
                    verdicts.Slice(i, run).Fill(Verdict.Allowed);
                    allowedUnread += (uint)run;
                    i += run;
                    continue;
                }

                for (var end = Math.Min(i + RunBlock, n); i < end; i++)
                {
                    var recipient = recipients[i];
                    if (recipient == 0)
                    {
                        verdicts[i] = Verdict.InvalidRecipient;
                        counts.Add(Verdict.InvalidRecipient);
                        explain?.Record(i, new Decision(Verdict.InvalidRecipient, default), default);
                        continue;
                    }

                    if (!mayContain[i] && !isConfirmation)
                    {
                        // The common case: no entry of any kind for this number (counted in a register, not in the
                        // counts on the stack, whose increments each wait on the last one's store).
                        verdicts[i] = Verdict.Allowed;
                        allowedUnread++;
                        continue;
                    }

                    var entries = default(RecipientEntries);
                    if (mayContain[i])
                    {
                        // One reader (one epoch entry) for the whole batch, rented at the first possible hit.
                        reader ??= _index.RentReader();
                        ReadEntries(reader, recipient, scopes, kinds, ref entries);
                    }

                    var window = isConfirmation ? WindowState(scopes, recipient, now) : ConfirmationState.None;
                    var decision = DecisionRules.Decide(entries, type, rule, window);
                    verdicts[i] = decision.Verdict;
                    counts.Add(decision.Verdict);
                    if (decision.UsesConfirmation)
                    {
                        confirmations++;
                    }

                    if (decision.Verdict != Verdict.Allowed)
                    {
                        explain?.Record(i, decision, entries);
                    }
                }
            }
        }
        finally
        {
            reader?.Dispose();
            if (rented is not null)
            {
                ArrayPool<bool>.Shared.Return(rented);
            }
        }

        counts.Add(Verdict.Allowed, allowedUnread);
        return new CheckResult(counts, sequence);
    }

    // Recipients looked at together by RuledOutRun; the scalar loop takes a block where any of them needs a look.
    private const int RunBlock = 8;

    /// <summary>
    /// How many recipients from <paramref name="start"/> on, in whole blocks of <see cref="RunBlock"/>, are valid numbers
    /// (not 0) that the filter ruled out: each is ALLOWED outside a CONFIRMATION. A block is tested with one 8-byte
    /// read of its filter answers and two vector compares of its numbers, where one at a time cost a load, two
    /// branches and a store per recipient (7 % of the gate's CPU in the race).
    /// </summary>
    private static int RuledOutRun(ReadOnlySpan<ulong> recipients, ReadOnlySpan<bool> mayContain, int start)
    {
        var i = start;
        while (i + RunBlock <= recipients.Length
            && MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(mayContain.Slice(i, RunBlock))) == 0
            && !HasZero(recipients.Slice(i, RunBlock)))
        {
            i += RunBlock;
        }

        return i - start;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasZero(ReadOnlySpan<ulong> eight)
    {
        var low = Vector256.Create(eight);
        var high = Vector256.Create(eight[4..]);
        return Vector256.EqualsAny(low, Vector256<ulong>.Zero) || Vector256.EqualsAny(high, Vector256<ulong>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReadEntries(IndexReader reader, ulong recipient, in CheckScopes scopes, in ScopeKindsRead kinds, ref RecipientEntries entries)
    {
        ReadScope(reader, recipient, scopes.TenantId, scopes.SenderScopeId, EntryScope.Sender, kinds.Sender, ref entries);
        ReadScope(reader, recipient, scopes.TenantId, scopes.SenderAppScopeId, EntryScope.SenderApp, kinds.SenderApp, ref entries);
        ReadScope(reader, recipient, scopes.TenantId, scopes.TenantScopeId, EntryScope.Tenant, kinds.Tenant, ref entries);
        if (scopes.SenderScopeId != 0
            && (kinds.Sender & ScopeKinds.Bit(EntryKind.AddressOptIn)) != 0
            && entries.TryGet(EntryKind.OptOut, EntryScope.Tenant, out var tenantWide))
        {
            ReadAddressOptIn(reader, recipient, scopes, tenantWide, ref entries);
        }
    }

    /// <summary>
    /// Only for a recipient with a tenant-wide opt-out: the recipient's own opt-in at this sender lifts it here when it is
    /// the newer record (EntryKind.AddressOptIn explains why sequence order is the event order).
    /// </summary>
    private static void ReadAddressOptIn(IndexReader reader, ulong recipient, in CheckScopes scopes, EntryValue tenantWide, ref RecipientEntries entries)
    {
        if (reader.TryGet(EntryKey.Create(EntryKind.AddressOptIn, recipient, scopes.SenderScopeId, scopes.TenantId), out var optIn))
        {
            entries.Set(EntryKind.AddressOptIn, EntryScope.Sender, optIn);
            entries.TenantOptOutLifted = optIn.Sequence > tenantWide.Sequence;
        }
    }

    private static void ReadScope(IndexReader reader, ulong recipient, uint tenantId, uint scopeId, EntryScope scope, byte kinds, ref RecipientEntries entries)
    {
        if (scopeId == 0)
        {
            return;
        }

        for (var kind = EntryKind.OptOut; kind <= EntryKind.Bypass; kind++)
        {
            // A kind the scope has never held has no key to read.
            if ((kinds & ScopeKinds.Bit(kind)) != 0 && reader.TryGet(EntryKey.Create(kind, recipient, scopeId, tenantId), out var value))
            {
                entries.Set(kind, scope, value);
            }
        }
    }

    /// <summary>
    /// Hints for the FASTER reads the loop is about to make (<see cref="EntryIndex.PrefetchEntries"/>): every key of every
    /// "maybe" recipient, up to <see cref="PrefetchKeys"/> (a batch with more reads the rest without hints). The misses
    /// of a batch's reads then overlap instead of following one another.
    /// </summary>
    private void PrefetchEntries(ReadOnlySpan<ulong> recipients, ReadOnlySpan<bool> mayContain, in CheckScopes scopes, in ScopeKindsRead kinds)
    {
        Span<long> hashes = stackalloc long[PrefetchKeys];
        var count = 0;
        for (var i = 0; i < recipients.Length && count < PrefetchKeys; i++)
        {
            if (mayContain[i] && recipients[i] != 0)
            {
                AddHashes(recipients[i], scopes.TenantId, scopes.SenderScopeId, kinds.Sender, hashes, ref count);
                AddHashes(recipients[i], scopes.TenantId, scopes.SenderAppScopeId, kinds.SenderApp, hashes, ref count);
                AddHashes(recipients[i], scopes.TenantId, scopes.TenantScopeId, kinds.Tenant, hashes, ref count);
            }
        }

        _index.PrefetchEntries(hashes[..count]);
    }

    private const int PrefetchKeys = 128;

    private static void AddHashes(ulong recipient, uint tenantId, uint scopeId, byte kinds, Span<long> hashes, ref int count)
    {
        if (scopeId == 0)
        {
            return;
        }

        for (var kind = EntryKind.OptOut; kind <= EntryKind.Bypass && count < hashes.Length; kind++)
        {
            if ((kinds & ScopeKinds.Bit(kind)) != 0)
            {
                hashes[count++] = EntryKey.Create(kind, recipient, scopeId, tenantId).Hash64();
            }
        }
    }

    /// <summary>The kinds each of a batch's scopes may hold (<see cref="EntryIndex.KindsIn"/>).</summary>
    private readonly record struct ScopeKindsRead(byte Sender, byte SenderApp, byte Tenant);

    internal GateConfig Config => _config;

    private static void ThrowVerdictsTooShort() => throw new ArgumentException("The verdict span is shorter than the recipients.");
}
