namespace OptOutGate.Engine.Text;

/// <summary>
/// The contract's rules for strings (common.proto "Strings"): lengths are Unicode code points, the limits of the fields
/// many messages share, and the shape of a language tag. One place for every check of them, the engine's (MO
/// messages, keyword sets) and the server's (request validation).
/// </summary>
internal static class TextLimits
{
    /// <summary>A sender (inbound address): 1-32 characters.</summary>
    public const int MaxSender = 32;

    /// <summary>An app: 0-64 characters; empty means no app.</summary>
    public const int MaxApp = 64;

    /// <summary>Reasons and notes: at most 500 characters.</summary>
    public const int MaxReason = 500;

    /// <summary>A BCP 47 language tag: at most 35 characters (mo.proto, MoMessage.language_code; RFC 5646 4.4.1).</summary>
    public const int MaxLanguageCode = 35;

    /// <summary>The length of <paramref name="text"/> as the contract counts it: code points (a surrogate pair is one).</summary>
    public static int CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Whether <paramref name="text"/> has more than <paramref name="limit"/> code points. A text of at most
    /// <paramref name="limit"/> UTF-16 units never has, so only longer ones are counted.
    /// </summary>
    public static bool Exceeds(string text, int limit)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > limit && CodePoints(text) > limit;
    }

    /// <summary>
    /// Whether <paramref name="code"/> has the common shape of a BCP 47 tag: a primary subtag of 2-8 letters, then
    /// subtags of 1-8 letters or digits, separated by single hyphens, at most <see cref="MaxLanguageCode"/> characters
    /// in all ("en", "es-419", "zh-Hant-TW"; not "es_MX", "e", "en-").
    /// </summary>
    public static bool IsLanguageCode(ReadOnlySpan<char> code)
    {
        if (code.Length is < 2 or > MaxLanguageCode)
        {
            return false;
        }

        var subtag = 0;
        var first = true;
        for (var i = 0; i <= code.Length; i++)
        {
            if (i == code.Length || code[i] == '-')
            {
                if (subtag is < 1 or > 8 || (first && subtag < 2))
                {
                    return false;
                }

                first = false;
                subtag = 0;
                continue;
            }

            if (first ? !char.IsAsciiLetter(code[i]) : !char.IsAsciiLetterOrDigit(code[i]))
            {
                return false;
            }

            subtag++;
        }

        return true;
    }
}
