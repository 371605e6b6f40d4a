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
public sealed class NumberingPlanTable
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

    private NumberingPlanTable(int[] next, bool[] accept, string?[] regions)
    {
        _next = next;
        _accept = accept;
        _regions = regions;
    }

    /// <summary>States of the automaton (its size: 40 bytes per state).</summary>
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

        return new NumberingPlanTable([.. next], [.. accept], [.. regions]);
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
