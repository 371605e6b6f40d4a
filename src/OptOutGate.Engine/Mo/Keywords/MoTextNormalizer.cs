using System.Buffers;
using System.Globalization;
using System.Text;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// The one normalization of DESIGN.md ("Handling an MO message"), applied to message texts and to keywords alike so
/// that they compare equal exactly when a person would read them as the same word:
/// <list type="number">
/// <item>Unicode NFKC (fullwidth "ＳＴＯＰ", mathematical "𝐒𝐓𝐎𝐏" and ligatures "ﬁ" become plain letters).</item>
/// <item>Diacritics removed: decompose (NFD), drop every nonspacing mark (category Mn), recompose (NFC), so "ARRÊT"
/// becomes "ARRET" while Hangul syllables come back whole. NFD of an NFKC text is its NFKD, so steps 1 and 2 run as
/// one NFKD pass, the filter, then one NFC pass.</item>
/// <item>Upper case, invariant culture (simple case mapping: "ß" stays "ß").</item>
/// <item>Apostrophes dropped, not turned into spaces ("Don't" → "DONT"): U+0027 ' and U+2019 ’ as the design names
/// them, plus the characters phones and keyboards type in their place: U+2018 ‘, U+02BC ʼ (a modifier letter,
/// which would otherwise stay inside the word) and U+0060 `. U+FF07 ＇ is U+0027 after NFKC.</item>
/// <item>Every other character that is not a letter (L*) or decimal digit (Nd) becomes a space: punctuation, symbols,
/// emoji, controls, line breaks, tabs, format characters. Spacing combining marks (Mc, the vowel signs of Indic
/// scripts) stay, because they are part of the letter they follow: "रोको" is one word, not "र क".</item>
/// <item>Runs of spaces collapse to one; leading and trailing spaces are trimmed.</item>
/// </list>
/// Examples: "Stop." → "STOP", "opt-out" → "OPT OUT", "STOP😡" → "STOP", "Don't" → "DONT", "退订" → "退订", "" → "".
/// The result is a sequence of words separated by single spaces, which is what the classifier matches on.
/// Texts made of ASCII, Latin, Greek, Cyrillic, punctuation, symbols, kana, fullwidth forms, CJK ideographs, Hangul
/// syllables and emoji are mapped character by character through a table computed from this very pipeline at start-up;
/// any other text runs the pipeline through ICU.
/// </summary>
public static partial class MoTextNormalizer
{
    /// <summary>Texts up to this many chars are normalized in stack buffers; longer ones use pooled arrays.</summary>
    internal const int StackChars = 256;

    /// <summary>
    /// Normalizes <paramref name="text"/>. Returns <paramref name="text"/> itself when it is already normalized
    /// ("STOP"), else one new string.
    /// </summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new CharBuffer(stackalloc char[StackChars]);
        try
        {
            var length = Normalize(text, ref buffer);
            var normalized = buffer.Span[..length];
            return normalized.SequenceEqual(text) ? text : new string(normalized);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Normalizes <paramref name="text"/> into <paramref name="output"/> (from index 0, growing it if needed) and
    /// returns the normalized length. No allocation on the table path (see MoTextNormalizer.Table.cs); texts with
    /// other characters go through ICU, whose normalization allocates about 100 bytes per pass.
    /// </summary>
    internal static int Normalize(scoped ReadOnlySpan<char> text, ref CharBuffer output)
    {
        // Most MO texts are ASCII, Latin with accents, emoji or CJK: characters whose whole pipeline is a per-character
        // table lookup. Only texts with other characters pay for ICU (which allocates on every call).
        output.Reserve(text.Length);
        if (TryMapSimple(text, output.Span, out var written))
        {
            return written;
        }

        return NormalizeUnicode(text, ref output);
    }

    private static int NormalizeUnicode(scoped ReadOnlySpan<char> text, ref CharBuffer output)
    {
        // ICU's normalization rejects unpaired surrogates (ArgumentException). Texts decoded from protobuf UTF-8 never
        // have them, so replacing them (with U+FFFD, a symbol, hence a space) may allocate.
        if (HasUnpairedSurrogate(text))
        {
            return NormalizeUnicode(ReplaceUnpairedSurrogates(text), ref output);
        }

        var scratch = new CharBuffer(stackalloc char[StackChars]);
        try
        {
            // Decomposition rarely more than doubles a text; composition never lengthens a decomposed one.
            var decomposed = Transform(text, ref scratch, NormalizationForm.FormKD, expectedGrowth: 2);
            decomposed = DropNonspacingMarks(decomposed);
            var composed = Transform(decomposed, ref output, NormalizationForm.FormC, expectedGrowth: 1);
            return MapWords(composed);
        }
        finally
        {
            scratch.Dispose();
        }
    }

    /// <summary>
    /// Normalizes into <paramref name="into"/> and returns the result. When it does not fit the expected size (NFKD
    /// can turn one char into 18), the exact length is asked for once.
    /// </summary>
    private static Span<char> Transform(
        scoped ReadOnlySpan<char> source, ref CharBuffer into, NormalizationForm form, int expectedGrowth)
    {
        into.Reserve((int)Math.Min((long)source.Length * expectedGrowth, Array.MaxLength));
        if (!source.TryNormalize(into.Span, out var written, form))
        {
            into.Reserve(source.GetNormalizedLength(form));
            if (!source.TryNormalize(into.Span, out written, form))
            {
                throw new InvalidOperationException("Unicode normalization did not fit its own reported length.");
            }
        }

        return into.Span[..written];
    }

    private static bool HasUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        var index = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (index >= 0)
        {
            if (Rune.DecodeFromUtf16(text[index..], out _, out var consumed) != OperationStatus.Done)
            {
                return true;
            }

            index += consumed;
            var next = text[index..].IndexOfAnyInRange('\uD800', '\uDFFF');
            index = next < 0 ? -1 : index + next;
        }

        return false;
    }

    private static string ReplaceUnpairedSurrogates(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> chars = stackalloc char[2];
        var read = 0;
        while (read < text.Length)
        {
            // An invalid sequence decodes as U+FFFD.
            _ = Rune.DecodeFromUtf16(text[read..], out var rune, out var consumed);
            builder.Append(chars[..rune.EncodeToUtf16(chars)]);
            read += consumed;
        }

        return builder.ToString();
    }

    /// <summary>Removes the nonspacing marks (Mn) of a decomposed text in place; returns what is left.</summary>
    private static Span<char> DropNonspacingMarks(Span<char> text)
    {
        var write = 0;
        var read = 0;
        while (read < text.Length)
        {
            _ = Rune.DecodeFromUtf16(text[read..], out var rune, out var consumed);
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                text.Slice(read, consumed).CopyTo(text[write..]);
                write += consumed;
            }

            read += consumed;
        }

        return text[..write];
    }

    /// <summary>
    /// Steps 3 to 6 in place: upper case, apostrophes dropped, everything but letters, digits and spacing marks as
    /// one space between words. The write position never passes the read position: a space is written only after a
    /// character was skipped, and upper-casing keeps the UTF-16 length (it falls back to the original otherwise).
    /// </summary>
    private static int MapWords(Span<char> text)
    {
        var write = 0;
        var read = 0;
        var pendingSpace = false;
        while (read < text.Length)
        {
            var c = text[read];
            if (c < 0x80)
            {
                read++;
                if (char.IsAsciiLetterOrDigit(c))
                {
                    if (pendingSpace && write > 0)
                    {
                        text[write++] = ' ';
                    }

                    pendingSpace = false;
                    text[write++] = char.IsAsciiLetterLower(c) ? (char)(c - ('a' - 'A')) : c;
                }
                else if (c is not ('\'' or '`'))
                {
                    pendingSpace = true;
                }

                continue;
            }

            // A lone surrogate decodes as U+FFFD (a symbol), so it becomes a space like any other symbol.
            _ = Rune.DecodeFromUtf16(text[read..], out var rune, out var consumed);
            read += consumed;
            if (IsApostrophe(rune.Value))
            {
                continue;
            }

            if (!IsWordCategory(Rune.GetUnicodeCategory(rune)))
            {
                pendingSpace = true;
                continue;
            }

            var upper = Rune.ToUpperInvariant(rune);
            if (upper.Utf16SequenceLength != consumed)
            {
                upper = rune;
            }

            if (pendingSpace && write > 0)
            {
                text[write++] = ' ';
            }

            pendingSpace = false;
            write += upper.EncodeToUtf16(text[write..]);
        }

        return write;
    }

    private static bool IsApostrophe(int codePoint) =>
        codePoint is '\'' or '`' or '\u2019' or '\u2018' or '\u02BC';

    private static bool IsWordCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
        UnicodeCategory.DecimalDigitNumber => true,
        UnicodeCategory.SpacingCombiningMark => true,
        _ => false,
    };
}
