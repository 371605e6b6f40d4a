using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PhoneNumbers;

namespace OptOutGate.Engine.Recipients;

/// <summary>
/// The check path's numbering-plan test: a deterministic automaton over the digits of an E.164 number (calling code,
/// then national number) that accepts exactly the numbers whose national number matches a number type of a region of
/// that calling code in libphonenumber's metadata (fixed line, mobile, toll free, premium rate, shared cost, personal,
/// VoIP, pager, UAN, voicemail), within that type's possible lengths: what libphonenumber's IsValidNumber accepts for
/// numbers written in E.164. Built once from the metadata (<see cref="Build"/>); walking it is one table read per digit,
/// done while the recipient's digits are parsed, so the check path keeps its lookup budget (no parse objects, no
/// regular expressions, no allocation).
/// </summary>
public sealed partial class NumberingPlanTable
{
    private const int Digits = 10;

    // A state is the offset of its row: _next[state + digit] is the next state's offset. Offset 0 is a dead state whose
    // row leads back to itself (no number of any plan continues that way), so a walk needs no test per digit; storing
    // offsets rather than numbers saves the multiplication in the chain of dependent loads, which is the walk's cost.
    private readonly int[] _next;

    // _accept[state]: a number ending in this state is valid.
    private readonly bool[] _accept;

    // _regions[state] of an accepting state: the one region whose plan accepts the number, or null when several regions
    // sharing the calling code do (NANP, +7, +44...): libphonenumber's region selection decides those.
    private readonly string?[] _regions;

    // _afterHigh[h]: the state after walking the digits of h (h < HighJump, no leading zeros; 0 walks none). A number's
    // digits above its last eight (KeepValid's high part: 1-5 digits for 9-13-digit numbers, the calling code and the
    // start of the national number) then cost one read instead of a chain of up to five dependent ones. 400 KB, of
    // which a batch touches a line per distinct prefix.
    // Held as a row of _nextPair (below), where KeepValid goes on from it.
    private readonly int[] _afterHigh;

    // _nextPair[row + pair]: the row after two more digits (pair = 10 × the first + the second), in rows of 100 (a
    // state's row is its number × 100). KeepValid walks a number's last eight digits two at a time: a chain of four
    // dependent reads instead of eight. 400 bytes per state (3.3 MB), of which a walk touches the rows of the few
    // states the last digits of the usual numbers pass through (after the prefix, "any n more digits").
    // Each entry's top two bits (TailShift) say what any six more digits do from the row it names: all end valid
    // (AllValid), none does (NoneValid), or it depends (0). After the first two of the last eight digits most numbers
    // are there (a mobile's block is decided by its prefix): KeepValid then stops, three reads early.
    private readonly int[] _nextPair;

    private NumberingPlanTable(int[] next, bool[] accept, string?[] regions)
    {
        _next = next;
        _accept = accept;
        _regions = regions;
        _nextPair = new int[accept.Length * Pairs];
        for (var state = 0; state < accept.Length; state++)
        {
            for (var pair = 0; pair < Pairs; pair++)
            {
                _nextPair[(state * Pairs) + pair] = RowOf(Next(Next(state * Digits, (uint)(pair / Digits)), (uint)(pair % Digits)));
            }
        }

        MarkUniformTails(_nextPair, accept);

        _afterHigh = new int[HighJump];
        for (var high = 1; high < HighJump; high++)
        {
            // The digits of high are those of high / 10, then its last one.
            _afterHigh[high] = Next(high < Digits ? Start : _afterHigh[high / Digits], (uint)(high % Digits));
        }

        _afterHigh[0] = Start;
        for (var high = 0; high < HighJump; high++)
        {
            _afterHigh[high] = RowOf(_afterHigh[high]);
        }
    }

    private const int Pairs = Digits * Digits;

    // The top two bits of a _nextPair entry: what any six more digits do from the row it names.
    private const int TailShift = 30;
    private const int RowMask = (1 << TailShift) - 1;
    private const uint AllValid = 1;
    private const uint NoneValid = 2;

    /// <summary>
    /// Marks each _nextPair entry with what any six more digits do from its row: valid for every one of them, for none,
    /// or it depends. Computed backwards, two digits at a time: after none, a state is what it accepts; after 2k more,
    /// a state is uniform when the states after each of its 100 pairs are uniform alike after 2k − 2.
    /// </summary>
    private static void MarkUniformTails(int[] nextPair, bool[] accept)
    {
        var states = accept.Length;
        var tail = new uint[states];
        for (var state = 0; state < states; state++)
        {
            tail[state] = accept[state] ? AllValid : NoneValid;
        }

        for (var digits = 2; digits <= 6; digits += 2)
        {
            var longer = new uint[states];
            for (var state = 0; state < states; state++)
            {
                var first = tail[nextPair[state * Pairs] / Pairs];
                for (var pair = 1; pair < Pairs && first != 0; pair++)
                {
                    first = tail[nextPair[(state * Pairs) + pair] / Pairs] == first ? first : 0;
                }

                longer[state] = first;
            }

            tail = longer;
        }

        if (nextPair.Length > RowMask)
        {
            throw new InvalidOperationException("The numbering-plan automaton has too many states for its pair table's marks.");
        }

        for (var i = 0; i < nextPair.Length; i++)
        {
            nextPair[i] |= (int)(tail[nextPair[i] / Pairs] << TailShift);
        }
    }

    /// <summary>A state's row in <c>_nextPair</c>, from its offset in <c>_next</c> (the state's number × 10).</summary>
    private static int RowOf(int state) => state * (Pairs / Digits);

    // Numbers of 9 to 13 digits (most of the world's E.164 numbers; 13 holds Brazil's and China's mobiles: +55 AA 9
    // and eight digits, +86 1xx and eight) have a high part below this. At 10,000, 13-digit numbers took the walk
    // digit by digit: CheckBatchParseBenchmarks.CompactThirteenDigits 18.3 / 18.4 → 11.7 / 11.8 µs per 1,000.
    private const int HighJump = 100_000;

    /// <summary>States of the automaton (its size: 440 bytes per state, the pair table included).</summary>
    public int StateCount => _accept.Length;

    /// <summary>The state before the first digit.</summary>
    public const int Start = Digits;

    /// <summary>The state after one more digit (0-9).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int state, uint digit) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_next), state + (int)Math.Min(digit, 9u));

    /// <summary>Whether the digits walked so far are a whole valid number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accepts(int state) => _accept[state / Digits];

    /// <summary>Whether the number (E.164 digits as an integer, as <see cref="E164"/> parses it) is valid.</summary>
    public bool IsValid(ulong number) => Accepts(Walk(number));

    /// <summary>
    /// For a valid number: true with its region when one region's plan alone accepts it; false when the number is invalid
    /// or several regions of its calling code accept it (then <paramref name="valid"/> tells which).
    /// </summary>
    public bool TryGetRegion(ulong number, out bool valid, out string region)
    {
        var state = Walk(number);
        valid = Accepts(state);
        region = valid ? _regions[state / Digits] ?? "" : "";
        return region.Length != 0;
    }

    /// <summary>
    /// Replaces every number of <paramref name="numbers"/> that is not a valid E.164 number (8-15 digits, as
    /// <see cref="E164"/> parses them, accepted by a numbering plan) by 0, the check path's mark of INVALID_RECIPIENT:
    /// the same answer as <see cref="IsValid"/> for each, for recipients that arrive as integers (recipients_e164).
    /// A walk is a chain of dependent table reads, each waiting on the last; four walks side by side keep four chains
    /// in flight (in process, 1,000 numbers: about 21 µs against 36 µs one at a time), the digits above the last eight
    /// come from one read of a jump table (<c>_afterHigh</c>; CheckBatchParseBenchmarks.Compact, 1,000 +1 numbers read
    /// from a request: 15.2 → 12.9-13.4 µs, 2026-12-05), and the last eight are walked two at a time (<c>_nextPair</c>).
    /// </summary>
    public void KeepValid(Span<ulong> numbers)
    {
        var i = 0;
        for (; i + 4 <= numbers.Length; i += 4)
        {
            var lanes = new Lanes(numbers[i], numbers[i + 1], numbers[i + 2], numbers[i + 3]);
            lanes.Walk(this);
            numbers[i] = lanes.Valid0 ? numbers[i] : 0;
            numbers[i + 1] = lanes.Valid1 ? numbers[i + 1] : 0;
            numbers[i + 2] = lanes.Valid2 ? numbers[i + 2] : 0;
            numbers[i + 3] = lanes.Valid3 ? numbers[i + 3] : 0;
        }

        if (i < numbers.Length)
        {
            // The last one to three: padded with 0 (invalid), which walks harmlessly.
            var lanes = new Lanes(numbers[i], i + 1 < numbers.Length ? numbers[i + 1] : 0, i + 2 < numbers.Length ? numbers[i + 2] : 0, 0);
            lanes.Walk(this);
            numbers[i] = lanes.Valid0 ? numbers[i] : 0;
            if (i + 1 < numbers.Length)
            {
                numbers[i + 1] = lanes.Valid1 ? numbers[i + 1] : 0;
            }

            if (i + 2 < numbers.Length)
            {
                numbers[i + 2] = lanes.Valid2 ? numbers[i + 2] : 0;
            }
        }
    }

    /// <summary>
    /// The eight decimal digits of <paramref name="value"/> (below 10^8, leading zeros included), one per byte, the most
    /// significant in the lowest byte. Divisions by 100 and 10 done on all lanes at once with multiplications (Paul
    /// Khuong's encode_ten_thousands, the integer-to-text step of AppNexus's ACF): written here because the walk needs
    /// the digits as values in registers, which no library's formatting gives without text in memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SpellEight(uint value)
    {
        var hundreds = SpellPairs(value);
        var tens = ((hundreds * 103UL) >> 10) & ((0xFUL << 48) | (0xFUL << 32) | (0xFUL << 16) | 0xFUL);
        return tens + ((hundreds - (10UL * tens)) << 8);
    }

    /// <summary>
    /// The eight decimal digits of <paramref name="value"/> (below 10^8) as four pairs (00-99), one per 16 bits, the most
    /// significant in the lowest: the first half of <see cref="SpellEight"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SpellPairs(uint value)
    {
        var upper = value / 10_000;
        var merged = upper | ((ulong)(value - (upper * 10_000)) << 32);
        var top = ((merged * 10486UL) >> 20) & ((0x7FUL << 32) | 0x7FUL);
        var bottom = merged - (100UL * top);
        return (bottom << 16) + top;
    }

    private int Walk(ulong number)
    {
        Span<byte> digits = stackalloc byte[20];
        var count = 0;
        for (var n = number; n != 0; n /= 10)
        {
            digits[count++] = (byte)(n % 10);
        }

        var state = Start;
        for (var i = count - 1; i >= 0; i--)
        {
            state = Next(state, digits[i]);
        }

        return state;
    }

    /// <summary>Builds the automaton from the metadata of every calling code.</summary>
    public static NumberingPlanTable Build(PhoneNumberUtil util)
    {
        ArgumentNullException.ThrowIfNull(util);
        var nfa = new DigitNfa();
        var root = nfa.NewState();
        var accepts = new Dictionary<int, (int CodeLength, HashSet<int> Lengths, string Region)>();
        foreach (var code in util.GetSupportedCallingCodes().Order())
        {
            var codeText = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // A state reads one set of digits, so every calling code starts from a state of its own.
            var at = nfa.NewState();
            nfa.AddEpsilon(root, at);
            foreach (var c in codeText)
            {
                var next = nfa.NewState();
                nfa.SetDigits(at, (ushort)(1 << (c - '0')), next);
                var hop = nfa.NewState();
                nfa.AddEpsilon(next, hop);
                at = hop;
            }

            foreach (var (region, metadata) in MetadataOf(util, code))
            {
                foreach (var desc in TypesOf(metadata))
                {
                    var lengths = desc.PossibleLengthList.Count > 0 ? desc.PossibleLengthList : metadata.GeneralDesc.PossibleLengthList;
                    var start = nfa.NewState();
                    nfa.AddEpsilon(at, start);
                    var end = DigitPattern.Add(nfa, desc.NationalNumberPattern, start);
                    accepts[end] = (codeText.Length, [.. lengths], region);
                }
            }
        }

        return Determinize(nfa, root, accepts);
    }

    private static IEnumerable<(string Region, PhoneMetadata Metadata)> MetadataOf(PhoneNumberUtil util, int code)
    {
        foreach (var region in util.GetRegionCodesForCountryCode(code))
        {
            var metadata = region == "001" ? util.GetMetadataForNonGeographicalRegion(code) : util.GetMetadataForRegion(region);
            if (metadata is not null)
            {
                yield return (region, metadata);
            }
        }
    }

    private static IEnumerable<PhoneNumberDesc> TypesOf(PhoneMetadata metadata)
    {
        PhoneNumberDesc?[] types =
        [
            metadata.FixedLine, metadata.Mobile, metadata.TollFree, metadata.PremiumRate, metadata.SharedCost,
            metadata.PersonalNumber, metadata.Voip, metadata.Pager, metadata.Uan, metadata.Voicemail,
        ];
        foreach (var desc in types)
        {
            if (desc is not null && !string.IsNullOrEmpty(desc.NationalNumberPattern) && desc.NationalNumberPattern != "NA"
                && !desc.PossibleLengthList.Contains(-1))
            {
                yield return desc;
            }
        }
    }

    private static NumberingPlanTable Determinize(DigitNfa nfa, int root, Dictionary<int, (int CodeLength, HashSet<int> Lengths, string Region)> accepts)
    {
        var ids = new Dictionary<StateSet, int>();
        var sets = new List<StateSet>();
        var next = new List<int>();
        var accept = new List<bool>();
        var regions = new List<string?>();
        var mark = new int[nfa.Count];
        var stamp = 0;
        var stack = new Stack<int>();

        int[] Closure(IEnumerable<int> seeds)
        {
            stamp++;
            var result = new List<int>();
            foreach (var seed in seeds)
            {
                if (mark[seed] != stamp)
                {
                    mark[seed] = stamp;
                    stack.Push(seed);
                }
            }

            while (stack.TryPop(out var state))
            {
                // Only states that read a digit or end a pattern matter to the set; the rest are passed through.
                if (nfa.MaskOf(state) != 0 || accepts.ContainsKey(state))
                {
                    result.Add(state);
                }

                if (nfa.EpsilonsOf(state) is { } epsilons)
                {
                    foreach (var target in epsilons)
                    {
                        if (mark[target] != stamp)
                        {
                            mark[target] = stamp;
                            stack.Push(target);
                        }
                    }
                }
            }

            result.Sort();
            return [.. result];
        }

        int Intern(StateSet set)
        {
            if (ids.TryGetValue(set, out var id))
            {
                return id;
            }

            id = sets.Count;
            ids[set] = id;
            sets.Add(set);
            for (var d = 0; d < Digits; d++)
            {
                next.Add(0);
            }

            var accepting = false;
            string? region = null;
            foreach (var state in set.States)
            {
                if (accepts.TryGetValue(state, out var end) && end.Lengths.Contains(set.Depth - end.CodeLength))
                {
                    region = !accepting || region == end.Region ? end.Region : null;
                    accepting = true;
                }
            }

            accept.Add(accepting);
            regions.Add(region);
            return id;
        }

        // State 0 is the dead state (its row stays all 0); the walk starts at state 1.
        sets.Add(new StateSet(-1, []));
        for (var d = 0; d < Digits; d++)
        {
            next.Add(0);
        }

        accept.Add(false);
        regions.Add(null);
        Intern(new StateSet(0, Closure([root])));
        var targets = new List<int>();
        for (var id = 1; id < sets.Count; id++)
        {
            var set = sets[id];
            if (set.Depth >= E164.MaxDigits)
            {
                continue;
            }

            for (var d = 0; d < Digits; d++)
            {
                targets.Clear();
                foreach (var state in set.States)
                {
                    if ((nfa.MaskOf(state) & (1 << d)) != 0)
                    {
                        targets.Add(nfa.TargetOf(state));
                    }
                }

                if (targets.Count != 0)
                {
                    next[(id * Digits) + d] = Intern(new StateSet(set.Depth + 1, Closure(targets))) * Digits;
                }
            }
        }

        return Minimize([.. next], [.. accept], [.. regions]);
    }

    /// <summary>
    /// Merges the states that no digit string tells apart (Moore's partition refinement): same acceptance and region
    /// now, and, digit by digit, next states that are merged too. The subset construction keeps states apart by the
    /// pattern states they hold even where their futures are the same: 17,371 states (680 KB) before, 8,267 (330 KB)
    /// after, so the check path's walk takes less of the CPU caches that the index and the filter share with it. The
    /// language and every accepting state's region are unchanged (NumberingPlanTests compares it with libphonenumber).
    /// </summary>
    private static NumberingPlanTable Minimize(int[] next, bool[] accept, string?[] regions)
    {
        var count = accept.Length;
        var block = new int[count];
        var labels = new Dictionary<(bool, string?), int>();
        for (var state = 0; state < count; state++)
        {
            var label = (accept[state], regions[state]);
            if (!labels.TryGetValue(label, out var id))
            {
                id = labels.Count;
                labels[label] = id;
            }

            block[state] = id;
        }

        var blocks = labels.Count;
        var signature = new int[Digits + 1];
        while (true)
        {
            var ids = new Dictionary<Signature, int>();
            var refined = new int[count];
            for (var state = 0; state < count; state++)
            {
                signature[0] = block[state];
                for (var d = 0; d < Digits; d++)
                {
                    signature[d + 1] = block[next[(state * Digits) + d] / Digits];
                }

                var key = new Signature(signature);
                if (!ids.TryGetValue(key, out var id))
                {
                    id = ids.Count;
                    ids[new Signature([.. signature])] = id;
                }

                refined[state] = id;
            }

            block = refined;
            if (ids.Count == blocks)
            {
                break;
            }

            blocks = ids.Count;
        }

        // The dead state stays state 0 and the start state 1 (Start): the walk relies on both.
        var renumbered = new int[blocks];
        Array.Fill(renumbered, -1);
        var order = 0;
        renumbered[block[0]] = order++;
        if (renumbered[block[1]] < 0)
        {
            renumbered[block[1]] = order++;
        }

        for (var state = 2; state < count; state++)
        {
            if (renumbered[block[state]] < 0)
            {
                renumbered[block[state]] = order++;
            }
        }

        var minimalNext = new int[blocks * Digits];
        var minimalAccept = new bool[blocks];
        var minimalRegions = new string?[blocks];
        for (var state = 0; state < count; state++)
        {
            var to = renumbered[block[state]];
            minimalAccept[to] = accept[state];
            minimalRegions[to] = regions[state];
            for (var d = 0; d < Digits; d++)
            {
                minimalNext[(to * Digits) + d] = renumbered[block[next[(state * Digits) + d] / Digits]] * Digits;
            }
        }

        return new NumberingPlanTable(minimalNext, minimalAccept, minimalRegions);
    }

    /// <summary>
    /// Four numbers walked side by side (<see cref="KeepValid"/>). Each number stays in registers: the high part (up to
    /// seven digits, one read of the jump table, or spelled one digit per byte and walked when it has six or seven),
    /// then the low eight as four pairs of digits, one per 16 bits, most significant first. A number outside 8-15
    /// digits walks as 10,000,000 and is invalid whatever the walk ends in.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Lanes
    {
        private const ulong Smallest = 10_000_000;
        private bool _valid0, _valid1, _valid2, _valid3;
        private readonly uint _highPart0, _highPart1, _highPart2, _highPart3;
        private readonly ulong _low0, _low1, _low2, _low3;

        public Lanes(ulong number0, ulong number1, ulong number2, ulong number3)
        {
            _valid0 = Spell(number0, out _highPart0, out _low0);
            _valid1 = Spell(number1, out _highPart1, out _low1);
            _valid2 = Spell(number2, out _highPart2, out _low2);
            _valid3 = Spell(number3, out _highPart3, out _low3);
        }

        public readonly bool Valid0 => _valid0;

        public readonly bool Valid1 => _valid1;

        public readonly bool Valid2 => _valid2;

        public readonly bool Valid3 => _valid3;

        public void Walk(NumberingPlanTable table)
        {
            ref var next = ref MemoryMarshal.GetArrayDataReference(table._next);
            ref var nextPair = ref MemoryMarshal.GetArrayDataReference(table._nextPair);
            int s0, s1, s2, s3;
            if (Math.Max(Math.Max(_highPart0, _highPart1), Math.Max(_highPart2, _highPart3)) < HighJump)
            {
                // The usual case: every high part's state from the jump table.
                ref var afterHigh = ref MemoryMarshal.GetArrayDataReference(table._afterHigh);
                s0 = Unsafe.Add(ref afterHigh, (int)_highPart0);
                s1 = Unsafe.Add(ref afterHigh, (int)_highPart1);
                s2 = Unsafe.Add(ref afterHigh, (int)_highPart2);
                s3 = Unsafe.Add(ref afterHigh, (int)_highPart3);
            }
            else
            {
                // A number of 14-15 digits among the four: the high parts walked digit by digit.
                s0 = Start;
                s1 = Start;
                s2 = Start;
                s3 = Start;
                // Spelled here only: the jump table above needs the high parts as numbers, not digits.
                var high0 = SpellEight(_highPart0);
                var high1 = SpellEight(_highPart1);
                var high2 = SpellEight(_highPart2);
                var high3 = SpellEight(_highPart3);
                var skip0 = BitOperations.TrailingZeroCount(high0) & ~7;
                var skip1 = BitOperations.TrailingZeroCount(high1) & ~7;
                var skip2 = BitOperations.TrailingZeroCount(high2) & ~7;
                var skip3 = BitOperations.TrailingZeroCount(high3) & ~7;
                for (var shift = Math.Min(Math.Min(skip0, skip1), Math.Min(skip2, skip3)); shift < 64; shift += 8)
                {
                    s0 = shift >= skip0 ? Unsafe.Add(ref next, s0 + (int)((high0 >> shift) & 0xF)) : s0;
                    s1 = shift >= skip1 ? Unsafe.Add(ref next, s1 + (int)((high1 >> shift) & 0xF)) : s1;
                    s2 = shift >= skip2 ? Unsafe.Add(ref next, s2 + (int)((high2 >> shift) & 0xF)) : s2;
                    s3 = shift >= skip3 ? Unsafe.Add(ref next, s3 + (int)((high3 >> shift) & 0xF)) : s3;
                }

                s0 = RowOf(s0);
                s1 = RowOf(s1);
                s2 = RowOf(s2);
                s3 = RowOf(s3);
            }

            // The last eight digits, two at a time; after the first two, when any six more digits decide alike for all
            // four numbers (the usual batch of mobiles), that decides.
            s0 = Unsafe.Add(ref nextPair, s0 + (int)(_low0 & 0x7F));
            s1 = Unsafe.Add(ref nextPair, s1 + (int)(_low1 & 0x7F));
            s2 = Unsafe.Add(ref nextPair, s2 + (int)(_low2 & 0x7F));
            s3 = Unsafe.Add(ref nextPair, s3 + (int)(_low3 & 0x7F));
            if ((uint)s0 > RowMask && (uint)s1 > RowMask && (uint)s2 > RowMask && (uint)s3 > RowMask)
            {
                _valid0 &= (uint)s0 >> TailShift == AllValid;
                _valid1 &= (uint)s1 >> TailShift == AllValid;
                _valid2 &= (uint)s2 >> TailShift == AllValid;
                _valid3 &= (uint)s3 >> TailShift == AllValid;
                return;
            }

            for (var shift = 16; shift < 64; shift += 16)
            {
                s0 = Unsafe.Add(ref nextPair, (s0 & RowMask) + (int)((_low0 >> shift) & 0x7F));
                s1 = Unsafe.Add(ref nextPair, (s1 & RowMask) + (int)((_low1 >> shift) & 0x7F));
                s2 = Unsafe.Add(ref nextPair, (s2 & RowMask) + (int)((_low2 >> shift) & 0x7F));
                s3 = Unsafe.Add(ref nextPair, (s3 & RowMask) + (int)((_low3 >> shift) & 0x7F));
            }

            s0 &= RowMask;
            s1 &= RowMask;
            s2 &= RowMask;
            s3 &= RowMask;

            _valid0 &= table._accept[s0 / Pairs];
            _valid1 &= table._accept[s1 / Pairs];
            _valid2 &= table._accept[s2 / Pairs];
            _valid3 &= table._accept[s3 / Pairs];
        }

        private static bool Spell(ulong number, out uint highPart, out ulong low)
        {
            var inRange = number - Smallest <= E164.MaxValue - Smallest;
            var walked = inRange ? number : Smallest;
            highPart = (uint)(walked / 100_000_000);
            low = SpellPairs((uint)(walked - (highPart * 100_000_000UL)));
            return inRange;
        }
    }

    /// <summary>A state's block and its digits' next blocks, equal by contents (<see cref="Minimize"/>).</summary>
    private readonly struct Signature(int[] values) : IEquatable<Signature>
    {
        private readonly int[] _values = values;

        public bool Equals(Signature other) => _values.AsSpan().SequenceEqual(other._values);

        public override bool Equals(object? obj) => obj is Signature other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(_values.AsSpan()));
            return hash.ToHashCode();
        }
    }

    /// <summary>A set of automaton states after <see cref="Depth"/> digits (equal by contents).</summary>
    private sealed class StateSet(int depth, int[] states) : IEquatable<StateSet>
    {
        private readonly int _hash = Hash(depth, states);

        public int Depth { get; } = depth;

        public int[] States { get; } = states;

        public bool Equals(StateSet? other) =>
            other is not null && other.Depth == Depth && other.States.AsSpan().SequenceEqual(States);

        public override bool Equals(object? obj) => Equals(obj as StateSet);

        public override int GetHashCode() => _hash;

        private static int Hash(int depth, int[] states)
        {
            var hash = new HashCode();
            hash.Add(depth);
            foreach (var state in states)
            {
                hash.Add(state);
            }

            return hash.ToHashCode();
        }
    }
}
