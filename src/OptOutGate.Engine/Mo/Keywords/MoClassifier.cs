using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// Classifies an MO text against a <see cref="KeywordSet"/> by the rules of DESIGN.md ("Handling an MO message"),
/// first that applies:
/// <list type="number">
/// <item>the whole message equals an opt-out keyword → OPTED_OUT;</item>
/// <item>it starts with an opt-out keyword of mode LEADING ("STOP please") → OPTED_OUT;</item>
/// <item>it contains a revocation phrase anywhere ("ok please stop now") → OPTED_OUT;</item>
/// <item>it equals an opt-in keyword (or, for an opt-in keyword configured LEADING, starts with it) and contains no
/// opt-out keyword anywhere → OPTED_IN;</item>
/// <item>it starts with a help keyword of mode LEADING (or equals one of mode EXACT) → HELP;</item>
/// <item>an opt-out keyword appears anywhere else as whole words ("cancel my appointment") → AMBIGUOUS;</item>
/// <item>otherwise → NONE (empty, emoji-only, "STOPPED", "BACKEND").</item>
/// </list>
/// Matching is on whole words of the normalized text, never substrings. Where two keywords match at one place the
/// longer wins ("STOP ALL" over "STOP"); for the rules that look anywhere (3, 6) the longest match in the message
/// decides, the leftmost of equal lengths. One pass over the words with one dictionary lookup per word; the only
/// allocation is the normalized text when it differs from both the input and the matched keyword.
/// </summary>
public static class MoClassifier
{
    public static Classification Classify(string text, KeywordSet set)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(set);
        var buffer = new CharBuffer(stackalloc char[MoTextNormalizer.StackChars]);
        try
        {
            var length = MoTextNormalizer.Normalize(text, ref buffer);
            return Classify(text, buffer.Span[..length], set);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static Classification Classify(string original, ReadOnlySpan<char> normalized, KeywordSet set)
    {
        KeywordCandidate? exactOptOut = null;
        KeywordCandidate? leadingOptOut = null;
        KeywordCandidate? optIn = null;
        KeywordCandidate? help = null;
        KeywordCandidate? phrase = null;
        KeywordCandidate? anyOptOut = null;

        var position = 0;
        while (position < normalized.Length)
        {
            var rest = normalized[position..];
            var space = rest.IndexOf(' ');
            var word = space < 0 ? rest : rest[..space];
            if (set.TryGetCandidates(word, out var candidates))
            {
                // Candidates come longest first, so the first match of each kind at this position is the one that wins.
                foreach (var candidate in candidates)
                {
                    if (!candidate.IsPrefixOf(rest))
                    {
                        continue;
                    }

                    var whole = position == 0 && candidate.Text.Length == normalized.Length;
                    var leads = position == 0 && (whole || candidate.Leading);
                    switch (candidate.Kind)
                    {
                        case CandidateKind.OptOut:
                            if (whole)
                            {
                                exactOptOut ??= candidate;
                            }
                            else if (leads)
                            {
                                leadingOptOut ??= candidate;
                            }

                            anyOptOut = Longer(anyOptOut, candidate);
                            break;
                        case CandidateKind.OptIn:
                            if (leads)
                            {
                                optIn ??= candidate;
                            }

                            break;
                        case CandidateKind.Help:
                            if (leads)
                            {
                                help ??= candidate;
                            }

                            break;
                        default:
                            phrase = Longer(phrase, candidate);
                            break;
                    }
                }
            }

            if (space < 0)
            {
                break;
            }

            position += space + 1;
        }

        if (exactOptOut is not null)
        {
            return Decided(MoAction.OptedOut, ClassificationRule.ExactOptOut, exactOptOut, original, normalized);
        }

        if (leadingOptOut is not null)
        {
            return Decided(MoAction.OptedOut, ClassificationRule.LeadingOptOut, leadingOptOut, original, normalized);
        }

        if (phrase is not null)
        {
            return Decided(MoAction.OptedOut, ClassificationRule.RevocationPhrase, phrase, original, normalized);
        }

        if (optIn is not null && anyOptOut is null)
        {
            return Decided(MoAction.OptedIn, ClassificationRule.ExactOptIn, optIn, original, normalized);
        }

        if (help is not null)
        {
            return Decided(MoAction.Help, ClassificationRule.LeadingHelp, help, original, normalized);
        }

        if (anyOptOut is not null)
        {
            return Decided(MoAction.Ambiguous, ClassificationRule.AmbiguousKeyword, anyOptOut, original, normalized);
        }

        return new Classification(
            MoAction.None, ClassificationRule.None, string.Empty, string.Empty, tenantWide: false, Text(original, normalized, null));
    }

    /// <summary>Keeps the earlier match unless the new one is strictly longer: longest wins, then leftmost.</summary>
    private static KeywordCandidate Longer(KeywordCandidate? current, KeywordCandidate candidate) =>
        current is null || candidate.Text.Length > current.Text.Length ? candidate : current;

    private static Classification Decided(
        MoAction action, ClassificationRule rule, KeywordCandidate keyword, string original, ReadOnlySpan<char> normalized) =>
        new(action, rule, keyword.Text, keyword.LanguageCode, keyword.TenantWide, Text(original, normalized, keyword.Text));

    /// <summary>The normalized text as a string, reusing the input or the keyword when equal ("STOP", "Stop").</summary>
    private static string Text(string original, ReadOnlySpan<char> normalized, string? keyword)
    {
        if (normalized.SequenceEqual(original))
        {
            return original;
        }

        if (keyword is not null && normalized.SequenceEqual(keyword))
        {
            return keyword;
        }

        return normalized.IsEmpty ? string.Empty : new string(normalized);
    }
}
