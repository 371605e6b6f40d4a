using System.Collections.Frozen;
using System.Collections.Immutable;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// The compiled keyword set of an inbound address (or of a tenant, or the built-in defaults): its opt-out, opt-in and
/// help keywords plus the built-in revocation phrases of rule 3, filed by first word so that
/// <see cref="MoClassifier"/> looks up each word of a message once and compares only the few keywords that start with
/// it. Built once per configuration through <see cref="TryCreate"/> or <see cref="TryCreateFromDefaults"/>;
/// immutable and safe to share between threads.
/// </summary>
public sealed partial class KeywordSet
{
    /// <summary>A keyword is 1-30 characters (code points) after normalization (DESIGN.md, "Operating it").</summary>
    public const int MaxKeywordLength = 30;

    /// <summary>At most 200 keywords per set (admin_config.proto, InboundAddress.keywords).</summary>
    public const int MaxKeywords = 200;

    private readonly FrozenDictionary<string, KeywordCandidate[]>.AlternateLookup<ReadOnlySpan<char>> _byFirstWord;
    private readonly int _maxFirstWordLength;

    private KeywordSet(ImmutableArray<MoKeyword> keywords)
    {
        Keywords = keywords;
        var buckets = new Dictionary<string, List<KeywordCandidate>>(StringComparer.Ordinal);
        foreach (var keyword in keywords)
        {
            var kind = keyword.Kind switch
            {
                KeywordKind.OptOut => CandidateKind.OptOut,
                KeywordKind.OptIn => CandidateKind.OptIn,
                _ => CandidateKind.Help,
            };
            File(buckets, new KeywordCandidate(keyword.Text, kind, keyword.Mode, keyword.LanguageCode, keyword.TenantWide));
        }

        foreach (var phrase in PhraseCandidates)
        {
            File(buckets, phrase);
        }

        // Longest first, so the first candidate that matches at a position is the one that wins there ("STOP ALL"
        // over "STOP"); OrderBy is stable, so equal lengths keep configuration order.
        var byFirstWord = new Dictionary<string, KeywordCandidate[]>(buckets.Count, StringComparer.Ordinal);
        foreach (var (firstWord, candidates) in buckets)
        {
            byFirstWord.Add(firstWord, [.. candidates.OrderByDescending(c => c.Text.Length)]);
            _maxFirstWordLength = Math.Max(_maxFirstWordLength, firstWord.Length);
        }

        _byFirstWord = byFirstWord.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The keywords of the set, normalized, in configuration order (InboundAddress.effective_keywords).</summary>
    public ImmutableArray<MoKeyword> Keywords { get; }

    /// <summary>The keyword with this normalized text, if the set has it.</summary>
    public bool TryGetKeyword(string normalizedText, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MoKeyword? keyword)
    {
        foreach (var candidate in Keywords)
        {
            if (string.Equals(candidate.Text, normalizedText, StringComparison.Ordinal))
            {
                keyword = candidate;
                return true;
            }
        }

        keyword = null;
        return false;
    }

    /// <summary>The keywords and phrases whose first word is <paramref name="word"/>, longest first.</summary>
    internal bool TryGetCandidates(ReadOnlySpan<char> word, out KeywordCandidate[] candidates)
    {
        if (word.Length > _maxFirstWordLength)
        {
            candidates = [];
            return false;
        }

        return _byFirstWord.TryGetValue(word, out candidates!);
    }

    private static void File(Dictionary<string, List<KeywordCandidate>> buckets, KeywordCandidate candidate)
    {
        var space = candidate.Text.IndexOf(' ', StringComparison.Ordinal);
        var firstWord = space < 0 ? candidate.Text : candidate.Text[..space];
        if (!buckets.TryGetValue(firstWord, out var list))
        {
            list = [];
            buckets.Add(firstWord, list);
        }

        list.Add(candidate);
    }
}
