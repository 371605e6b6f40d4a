namespace OptOutGate.Engine.Recipients;

/// <summary>
/// A libphonenumber national-number pattern as an automaton over digits (Thompson construction), for
/// <see cref="NumberingPlanTable"/>. The metadata's patterns use a small regex subset: digits, <c>\d</c>, classes with
/// ranges, groups, alternation and the quantifiers <c>?</c>, <c>*</c>, <c>+</c>, <c>{n}</c>, <c>{n,m}</c>; anything else
/// is refused (the table is then not built and start-up fails loudly rather than accepting numbers it cannot check).
/// Hand-written because no kept library turns a .NET regex into an automaton one can walk a digit at a time.
/// </summary>
internal sealed class DigitPattern
{
    /// <summary>Longest national number walked: unbounded repeats are unrolled this far (E.164 has at most 15 digits).</summary>
    private const int MaxRepeat = 17;

    private readonly string _pattern;
    private readonly DigitNfa _nfa;
    private int _at;

    private DigitPattern(string pattern, DigitNfa nfa)
    {
        _pattern = pattern;
        _nfa = nfa;
    }

    /// <summary>Adds <paramref name="pattern"/> to <paramref name="nfa"/> from <paramref name="start"/>; returns its end state.</summary>
    public static int Add(DigitNfa nfa, string pattern, int start)
    {
        var parser = new DigitPattern(pattern, nfa);
        var node = parser.ParseAlternation();
        if (parser._at != pattern.Length)
        {
            throw parser.Unsupported();
        }

        return parser.Emit(node, start);
    }

    private Node ParseAlternation()
    {
        var branches = new List<Node> { ParseSequence() };
        while (_at < _pattern.Length && _pattern[_at] == '|')
        {
            _at++;
            branches.Add(ParseSequence());
        }

        return branches.Count == 1 ? branches[0] : new Node.Alternation(branches);
    }

    private Node ParseSequence()
    {
        var items = new List<Node>();
        while (_at < _pattern.Length && _pattern[_at] is not ('|' or ')'))
        {
            var atom = ParseAtom();
            items.Add(ParseQuantifier(atom));
        }

        return new Node.Sequence(items);
    }

    private Node ParseAtom()
    {
        var c = _pattern[_at++];
        switch (c)
        {
            case >= '0' and <= '9':
                return new Node.Digits((ushort)(1 << (c - '0')));
            case '\\' when _at < _pattern.Length && _pattern[_at] == 'd':
                _at++;
                return new Node.Digits(0x3FF);
            case '[':
                return ParseClass();
            case '(':
                if (_pattern.AsSpan(_at).StartsWith("?:", StringComparison.Ordinal))
                {
                    _at += 2;
                }

                var inner = ParseAlternation();
                if (_at >= _pattern.Length || _pattern[_at] != ')')
                {
                    throw Unsupported();
                }

                _at++;
                return inner;
            default:
                _at--;
                throw Unsupported();
        }
    }

    private Node ParseClass()
    {
        ushort mask = 0;
        while (_at < _pattern.Length && _pattern[_at] != ']')
        {
            var c = _pattern[_at++];
            if (c == '\\' && _at < _pattern.Length && _pattern[_at] == 'd')
            {
                _at++;
                mask |= 0x3FF;
                continue;
            }

            if (c is < '0' or > '9')
            {
                _at--;
                throw Unsupported();
            }

            var last = c;
            if (_at + 1 < _pattern.Length && _pattern[_at] == '-' && _pattern[_at + 1] != ']')
            {
                last = _pattern[_at + 1];
                _at += 2;
            }

            for (var d = c; d <= last; d++)
            {
                mask |= (ushort)(1 << (d - '0'));
            }
        }

        if (_at >= _pattern.Length)
        {
            throw Unsupported();
        }

        _at++;
        return new Node.Digits(mask);
    }

    private Node ParseQuantifier(Node atom)
    {
        if (_at >= _pattern.Length)
        {
            return atom;
        }

        switch (_pattern[_at])
        {
            case '?':
                _at++;
                return new Node.Repeat(atom, 0, 1);
            case '*':
                _at++;
                return new Node.Repeat(atom, 0, MaxRepeat);
            case '+':
                _at++;
                return new Node.Repeat(atom, 1, MaxRepeat);
            case '{':
                var close = _pattern.IndexOf('}', _at);
                if (close < 0)
                {
                    throw Unsupported();
                }

                var body = _pattern.AsSpan(_at + 1, close - _at - 1);
                _at = close + 1;
                var comma = body.IndexOf(',');
                var min = int.Parse(comma < 0 ? body : body[..comma], System.Globalization.CultureInfo.InvariantCulture);
                var max = comma < 0 ? min
                    : comma == body.Length - 1 ? MaxRepeat
                    : int.Parse(body[(comma + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                return new Node.Repeat(atom, min, Math.Min(max, MaxRepeat));
            default:
                return atom;
        }
    }

    private int Emit(Node node, int from)
    {
        switch (node)
        {
            case Node.Digits digits:
                var to = _nfa.NewState();
                _nfa.SetDigits(from, digits.Mask, to);
                return to;
            case Node.Sequence sequence:
                var at = from;
                foreach (var item in sequence.Items)
                {
                    at = Emit(item, at);
                }

                return at;
            case Node.Alternation alternation:
                var end = _nfa.NewState();
                foreach (var branch in alternation.Branches)
                {
                    var start = _nfa.NewState();
                    _nfa.AddEpsilon(from, start);
                    _nfa.AddEpsilon(Emit(branch, start), end);
                }

                return end;
            case Node.Repeat repeat:
                var current = from;
                for (var i = 0; i < repeat.Min; i++)
                {
                    current = Emit(repeat.Item, current);
                }

                var done = _nfa.NewState();
                _nfa.AddEpsilon(current, done);
                for (var i = repeat.Min; i < repeat.Max; i++)
                {
                    current = Emit(repeat.Item, current);
                    _nfa.AddEpsilon(current, done);
                }

                return done;
            default:
                throw new InvalidOperationException("Unknown pattern node.");
        }
    }

    private FormatException Unsupported() =>
        new($"libphonenumber pattern construct not supported at offset {_at}: {_pattern}");

    private abstract record Node
    {
        public sealed record Digits(ushort Mask) : Node;

        public sealed record Sequence(List<Node> Items) : Node;

        public sealed record Alternation(List<Node> Branches) : Node;

        public sealed record Repeat(Node Item, int Min, int Max) : Node;
    }
}
