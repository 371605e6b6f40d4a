using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Recipients;

/// <summary>
/// E.164 numbers as 64-bit integers: "+" then 8-15 digits, the first not 0 (common.proto). Because the first digit
/// is never 0, digits→integer is one-to-one, and 15 digits fit in 50 bits, leaving the top bits of a ulong free.
/// No normalization: "+1 415..." or "1415..." are invalid, as the contract says.
/// </summary>
public static class E164
{
    public const int MinDigits = 8;
    public const int MaxDigits = 15;

    /// <summary>The largest value an E.164 number can take (15 nines); below 2^50.</summary>
    public const ulong MaxValue = 999_999_999_999_999;

    public static bool TryParse(ReadOnlySpan<char> text, out ulong number)
    {
        number = 0;
        var digits = text.Length - 1;
        if (digits < MinDigits || digits > MaxDigits || text[0] != '+' || text[1] == '0')
        {
            return false;
        }

        ulong value = 0;
        for (var i = 1; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        number = value;
        return true;
    }

    /// <summary>The same rules on UTF-8 bytes, for parsing recipients straight from a request buffer.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, out ulong number)
    {
        number = 0;
        var digits = text.Length - 1;
        if (digits < MinDigits || digits > MaxDigits || text[0] != (byte)'+' || text[1] == (byte)'0')
        {
            return false;
        }

        ulong value = 0;
        for (var i = 1; i < text.Length; i++)
        {
            var d = (uint)(text[i] - (byte)'0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        number = value;
        return true;
    }

    /// <summary>
    /// <see cref="TryParse"/> and the numbering-plan test in one pass over the digits (the check path): false as well for
    /// a well-formed number that no numbering plan allows.
    /// </summary>
    public static bool TryParseValid(ReadOnlySpan<char> text, NumberingPlanTable plans, out ulong number) =>
        TryParseValid<ushort>(MemoryMarshal.Cast<char, ushort>(text), plans, out number);

    /// <summary><see cref="TryParseValid(ReadOnlySpan{char}, NumberingPlanTable, out ulong)"/> on UTF-8 bytes.</summary>
    public static bool TryParseValidUtf8(ReadOnlySpan<byte> text, NumberingPlanTable plans, out ulong number) =>
        TryParseValid<byte>(text, plans, out number);

    // One body for UTF-16 and UTF-8 text: the JIT compiles it once per code unit type, so the generic costs nothing.
    private static bool TryParseValid<TUnit>(ReadOnlySpan<TUnit> text, NumberingPlanTable plans, out ulong number)
        where TUnit : unmanaged, IBinaryInteger<TUnit>
    {
        ArgumentNullException.ThrowIfNull(plans);
        number = 0;
        var digits = text.Length - 1;
        if (digits < MinDigits || digits > MaxDigits || uint.CreateTruncating(text[0]) != '+' || uint.CreateTruncating(text[1]) == '0')
        {
            return false;
        }

        ulong value = 0;
        var state = NumberingPlanTable.Start;
        for (var i = 1; i < text.Length; i++)
        {
            var d = uint.CreateTruncating(text[i]) - '0';
            if (d > 9)
            {
                return false;
            }

            state = plans.Next(state, d);
            value = (value * 10) + d;
        }

        number = value;
        return plans.Accepts(state);
    }

    public static string Format(ulong number) => "+" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>For logs: never a full phone number (STYLE.md). Keeps the calling code's first digits and the last two.</summary>
    public static string Mask(ulong number)
    {
        var s = number.ToString(CultureInfo.InvariantCulture);
        return s.Length <= 4 ? "+****" : "+" + s[..2] + new string('*', s.Length - 4) + s[^2..];
    }
}
