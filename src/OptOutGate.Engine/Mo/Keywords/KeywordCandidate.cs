using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>What a compiled keyword is for the classifier: a keyword of the set, or a built-in revocation phrase.</summary>
internal enum CandidateKind : byte
{
    OptOut,
    OptIn,
    Help,
    RevocationPhrase,
}

/// <summary>
/// A keyword or revocation phrase as the classifier compares it: filed under its first word, compared as a whole
/// (normalized text, words separated by single spaces) at a word boundary of the normalized message.
/// </summary>
internal sealed class KeywordCandidate
{
    public KeywordCandidate(string text, CandidateKind kind, MatchMode mode, string languageCode, bool tenantWide)
    {
        Text = text;
        Kind = kind;
        Leading = mode == MatchMode.Leading;
        LanguageCode = languageCode;
        TenantWide = tenantWide;
    }

    public string Text { get; }

    public CandidateKind Kind { get; }

    /// <summary>LEADING: also matches as the first words of a longer message. Phrases match anywhere regardless.</summary>
    public bool Leading { get; }

    public string LanguageCode { get; }

    public bool TenantWide { get; }

    /// <summary>True when the keyword stands at the start of <paramref name="rest"/> as whole words.</summary>
    public bool IsPrefixOf(ReadOnlySpan<char> rest) =>
        rest.StartsWith(Text, StringComparison.Ordinal) && (rest.Length == Text.Length || rest[Text.Length] == ' ');
}
