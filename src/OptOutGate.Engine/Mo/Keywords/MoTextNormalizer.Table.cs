using System.Globalization;
using System.Text;

namespace OptOutGate.Engine.Mo.Keywords;

// The fast path: a per-character table of what the whole pipeline does to each character of the common ranges,
// computed once with ICU from the pipeline itself, so the two can never disagree (MoTextNormalizerTests checks every
// table entry against the string-by-string pipeline too).
public static partial class MoTextNormalizer
{
    /// <summary>Not in the table: the text takes the ICU path.</summary>
    private const char Complex = '\0';

    /// <summary>Dropped without a trace: nonspacing marks, variation selectors, apostrophes.</summary>
    private const char Drop = '\u0001';

    /// <summary>Not a letter or digit: separates words.</summary>
    private const char Space = '\u0002';

    /// <summary>
    /// BMP ranges whose characters are filed in the table. Every one was checked to hold no character that composes
    /// with a neighbour once nonspacing marks are gone (Hangul jamo and Indic vowel signs are left out; a conjoining
    /// jamo produced by any character marks it Complex anyway).
    /// </summary>
    private static readonly (char First, char Last)[] TableRanges =
    [
        ('\u0000', '\u036F'), // ASCII, Latin-1, Latin Extended-A/B, IPA, spacing modifiers, combining diacriticals
        ('\u0370', '\u052F'), // Greek, Cyrillic
        ('\u1E00', '\u1FFF'), // Latin Extended Additional (Vietnamese), Greek Extended
        ('\u2000', '\u2BFF'), // punctuation, currency, letterlike, arrows, math, shapes, symbols, dingbats
        ('\u3000', '\u30FF'), // CJK punctuation, Hiragana, Katakana
        ('\uFE00', '\uFE0F'), // variation selectors (emoji presentation)
        ('\uFF00', '\uFFEF'), // halfwidth and fullwidth forms
    ];

    private static readonly char[] Table = BuildTable();

    /// <summary>
    /// The pipeline for texts of table characters, CJK ideographs, Hangul syllables and emoji: per character, no
    /// normalization pass, no allocation. Returns false (output undefined) at the first character that needs ICU.
    /// The output is never longer than the input: every character maps to at most one.
    /// </summary>
    private static bool TryMapSimple(ReadOnlySpan<char> text, Span<char> output, out int written)
    {
        var write = 0;
        var pendingSpace = false;
        var table = Table;
        for (var read = 0; read < text.Length; read++)
        {
            var c = text[read];
            char mapped;
            if (c < table.Length && table[c] != Complex)
            {
                mapped = table[c];
            }
            else if (c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uAC00' and <= '\uD7A3'))
            {
                // CJK unified ideographs and Hangul syllables: letters, unchanged by every step of the pipeline.
                mapped = c;
            }
            else if (char.IsHighSurrogate(c) && read + 1 < text.Length && char.IsLowSurrogate(text[read + 1])
                && IsEmoji(char.ConvertToUtf32(c, text[read + 1])))
            {
                read++;
                mapped = Space;
            }
            else
            {
                written = 0;
                return false;
            }

            if (mapped == Drop)
            {
                continue;
            }

            if (mapped == Space)
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace && write > 0)
            {
                output[write++] = ' ';
            }

            pendingSpace = false;
            output[write++] = mapped;
        }

        written = write;
        return true;
    }

    /// <summary>
    /// Regional indicators, and the pictograph blocks from Miscellaneous Symbols and Pictographs to Symbols and
    /// Pictographs Extended-A: symbols without decompositions, hence spaces.
    /// </summary>
    private static bool IsEmoji(int codePoint) =>
        codePoint is (>= 0x1F1E6 and <= 0x1F1FF) or (>= 0x1F300 and <= 0x1FAFF);

    private static char[] BuildTable()
    {
        var last = 0;
        foreach (var (_, end) in TableRanges)
        {
            last = Math.Max(last, end);
        }

        var table = new char[last + 1];
        foreach (var (first, end) in TableRanges)
        {
            for (int c = first; c <= end; c++)
            {
                table[c] = Classify((char)c);
            }
        }

        return table;
    }

    /// <summary>
    /// Runs the ICU pipeline on the character between two digits (which compose with nothing): "11" means it was
    /// dropped, "1 1" that it is a separator, "1X1" that it became the one word character X.
    /// </summary>
    private static char Classify(char c)
    {
        if (char.IsSurrogate(c))
        {
            return Complex;
        }

        ReadOnlySpan<char> probe = ['1', c, '1'];
        var buffer = new CharBuffer(new char[64]);
        var length = NormalizeUnicode(probe, ref buffer);
        var result = buffer.Span[..length];
        if (result is "11")
        {
            return Drop;
        }

        if (result is "1 1")
        {
            return Space;
        }

        if (result.Length == 3 && result[0] == '1' && result[2] == '1' && IsStandalone(result[1]))
        {
            return result[1];
        }

        return Complex;
    }

    /// <summary>A letter or digit that no canonical composition joins to a neighbour (not a Hangul jamo, not a mark).</summary>
    private static bool IsStandalone(char c)
    {
        if (c is (>= '\u1100' and <= '\u11FF') or (>= '\uA960' and <= '\uA97F') or (>= '\uD7B0' and <= '\uD7FF') or Drop or Space)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber;
    }

    /// <summary>For tests: whether the character is handled by the table, and how.</summary>
    internal static bool TryGetTableEntry(char c, out char mapped)
    {
        mapped = c < Table.Length ? Table[c] : Complex;
        return mapped != Complex;
    }

    internal static bool IsFastEmoji(Rune rune) => IsEmoji(rune.Value);
}
