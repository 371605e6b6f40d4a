using System.Globalization;
using System.Text;

namespace OptOutGate.Server.Admin;

/// <summary>
/// Keyword normalization for configuration: trim, upper-case (invariant), collapse runs of white space into one space.
/// A deliberately small subset of DESIGN.md's MO pipeline (NFKC, diacritics, punctuation), which arrives with the MO
/// issue (#4) and will replace this so keywords and messages are normalized by the same code.
/// </summary>
internal static class KeywordNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(char.ToUpper(c, CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
