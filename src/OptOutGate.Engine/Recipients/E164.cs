using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// The same rules on UTF-8 bytes, for parsing recipients straight from a request buffer (the check path, whose
    /// numbering-plan test then walks the numbers of a whole batch side by side: <see cref="NumberingPlanTable.KeepValid"/>).
    /// The last eight digits (every number has them) are tested and converted in one 8-byte word, the rest one by one.
    /// </summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, out ulong number)
    {
        number = 0;
        var digits = text.Length - 1;
        if (digits < MinDigits || digits > MaxDigits || text[0] != (byte)'+' || text[1] == (byte)'0')
        {
            return false;
        }

        if (!TryParseEightDigits(BinaryPrimitives.ReadUInt64LittleEndian(text[^8..]), out var low))
        {
            return false;
        }

        ulong high = 0;
        for (var i = 1; i < text.Length - 8; i++)
        {
            var d = (uint)(text[i] - (byte)'0');
            if (d > 9)
            {
                return false;
            }

            high = (high * 10) + d;
        }

        number = (high * 100_000_000) + low;
        return true;
    }

    /// <summary>
    /// Eight ASCII digits read as a little-endian word (the first digit in the lowest byte): false unless each byte is
    /// '0'-'9', else their value. SWAR, after simdjson's is_made_of_eight_digits_fast and parse_eight_digits_unrolled
    /// (Lemire, "Parsing numbers really fast"): written here because .NET's parsers (Utf8Parser, ulong.TryParse) go a
    /// digit at a time, which was most of a text batch's parse once the numbering-plan walk was batched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseEightDigits(ulong word, out uint value)
    {
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it at 3 (0x30-0x39). A byte above 0xF9 carries
        // into the next one, but its own nibble test has failed already.
        if (((word & 0xF0F0F0F0F0F0F0F0UL) | (((word + 0x0606060606060606UL) & 0xF0F0F0F0F0F0F0F0UL) >> 4)) != 0x3333333333333333UL)
        {
            value = 0;
            return false;
        }

        var v = word - 0x3030303030303030UL;
        v = (v * 10) + (v >> 8);
        value = (uint)((((v & 0x000000FF000000FFUL) * (100 + (1_000_000UL << 32))) + (((v >> 16) & 0x000000FF000000FFUL) * (1 + (10_000UL << 32)))) >> 32);
        return true;
    }

    /// <summary>
    /// <see cref="TryParse"/> and the numbering-plan test: false as well for a well-formed number that no numbering plan
    /// allows. One number at a time (the admin API, the generated-class check path); a batch of them is tested side by
    /// side by <see cref="NumberingPlanTable.KeepValid"/>.
    /// </summary>
    public static bool TryParseValid(ReadOnlySpan<char> text, NumberingPlanTable plans, out ulong number)
    {
        ArgumentNullException.ThrowIfNull(plans);
        return TryParse(text, out number) && plans.IsValid(number);
    }

    public static string Format(ulong number) => "+" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>For logs: never a full phone number (STYLE.md). Keeps the calling code's first digits and the last two.</summary>
    public static string Mask(ulong number)
    {
        var s = number.ToString(CultureInfo.InvariantCulture);
        return s.Length <= 4 ? "+****" : "+" + s[..2] + new string('*', s.Length - 4) + s[^2..];
    }
}
