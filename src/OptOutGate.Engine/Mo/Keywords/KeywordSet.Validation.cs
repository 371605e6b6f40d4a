using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using OptOutGate.Engine.Text;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

// Building a set from configuration. Errors are expected input (an operator's typo), so these are Try methods whose
// message names the field and the keyword, ready for an INVALID_ARGUMENT status.
public sealed partial class KeywordSet
{
    /// <summary>
    /// Compiles a complete keyword set as the contract configures one (InboundAddress.keywords,
    /// TenantPolicy.keywords): the list replaces the inherited set, so it must keep STOP (opt-out), START (opt-in)
    /// and HELP (help). Each keyword is 1-30 characters after normalization, has a kind and a match mode, is unique
    /// after normalization, and may be tenant-wide only if it is an opt-out keyword; at most 200 keywords. An empty
    /// list fails (it lacks STOP): resolving "empty = inherited" is the caller's business.
    /// </summary>
    public static bool TryCreate(
        IEnumerable<Keyword> keywords,
        [NotNullWhen(true)] out KeywordSet? set,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        set = null;
        var builder = ImmutableArray.CreateBuilder<MoKeyword>();
        var index = 0;
        foreach (var keyword in keywords)
        {
            var field = "keywords[" + index.ToString(CultureInfo.InvariantCulture) + "]";
            if (!TryValidate(keyword, field, out var validated, out error) || !TryAddUnique(builder, validated, field, out error))
            {
                return false;
            }

            index++;
        }

        if (builder.Count > MaxKeywords)
        {
            error = $"keywords: {builder.Count} keywords; a keyword set has at most {MaxKeywords}";
            return false;
        }

        foreach (var (text, kind) in Required)
        {
            var found = false;
            foreach (var keyword in builder)
            {
                if (keyword.Text == text)
                {
                    if (keyword.Kind != kind)
                    {
                        error = $"keywords: {text} must be of kind {KindName(kind)}, not {KindName(keyword.Kind)}";
                        return false;
                    }

                    found = true;
                    break;
                }
            }

            if (!found)
            {
                error = $"keywords: the set must keep {text} ({KindName(kind)}); every keyword set keeps " + RequiredText;
                return false;
            }
        }

        set = new KeywordSet(builder.ToImmutable());
        error = null;
        return true;
    }

    /// <summary>
    /// Compiles the built-in defaults without <paramref name="removals"/> (any default but the required ones, <see cref="Required"/>; texts
    /// are normalized, so "stop all" removes "STOP ALL") and with <paramref name="additions"/> on top. An addition may
    /// not repeat a keyword still in the set: to change a default's mode or language, remove it and add it again.
    /// </summary>
    public static bool TryCreateFromDefaults(
        IEnumerable<Keyword> additions,
        IEnumerable<string> removals,
        [NotNullWhen(true)] out KeywordSet? set,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(additions);
        ArgumentNullException.ThrowIfNull(removals);
        set = null;
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var removal in removals)
        {
            var field = "removals[" + index.ToString(CultureInfo.InvariantCulture) + "]";
            var text = MoTextNormalizer.Normalize(removal ?? string.Empty);
            if (text.Length == 0)
            {
                error = $"{field}: \"{removal}\" is empty after normalization";
                return false;
            }

            foreach (var (required, _) in Required)
            {
                if (text == required)
                {
                    error = $"{field}: {text} cannot be removed; every keyword set keeps " + RequiredText;
                    return false;
                }
            }

            if (!Default.TryGetKeyword(text, out _))
            {
                error = $"{field}: \"{removal}\" ({text}) is not a default keyword";
                return false;
            }

            removed.Add(text);
            index++;
        }

        var builder = ImmutableArray.CreateBuilder<MoKeyword>();
        foreach (var keyword in Default.Keywords)
        {
            if (!removed.Contains(keyword.Text))
            {
                builder.Add(keyword);
            }
        }

        index = 0;
        foreach (var addition in additions)
        {
            var field = "additions[" + index.ToString(CultureInfo.InvariantCulture) + "]";
            if (!TryValidate(addition, field, out var validated, out error) || !TryAddUnique(builder, validated, field, out error))
            {
                return false;
            }

            index++;
        }

        if (builder.Count > MaxKeywords)
        {
            error = $"additions: the set would have {builder.Count} keywords; a keyword set has at most {MaxKeywords}";
            return false;
        }

        set = new KeywordSet(builder.ToImmutable());
        error = null;
        return true;
    }

    private static bool TryValidate(
        Keyword? keyword,
        string field,
        [NotNullWhen(true)] out MoKeyword? validated,
        [NotNullWhen(false)] out string? error)
    {
        validated = null;
        if (keyword is null)
        {
            error = $"{field}: missing";
            return false;
        }

        var text = MoTextNormalizer.Normalize(keyword.Text);
        if (text.Length == 0)
        {
            error = keyword.Text.Length == 0
                ? $"{field}.text: empty; a keyword is 1-{MaxKeywordLength} characters"
                : $"{field}.text: \"{keyword.Text}\" is empty after normalization (no letters or digits)";
            return false;
        }

        var length = TextLimits.CodePoints(text);
        if (length > MaxKeywordLength)
        {
            error = $"{field}.text: \"{keyword.Text}\" is {length} characters after normalization ({text}); at most {MaxKeywordLength}";
            return false;
        }

        if (keyword.Kind is not (KeywordKind.OptOut or KeywordKind.OptIn or KeywordKind.Help))
        {
            error = $"{field}.kind: {text} needs a kind (opt-out, opt-in or help), not {ContractNames.Full(keyword.Kind)}";
            return false;
        }

        if (keyword.MatchMode is not (MatchMode.Exact or MatchMode.Leading))
        {
            error = $"{field}.match_mode: {text} needs a match mode (EXACT or LEADING), not {ContractNames.Full(keyword.MatchMode)}";
            return false;
        }

        if (keyword.TenantWide && keyword.Kind != KeywordKind.OptOut)
        {
            error = $"{field}.tenant_wide: {text} is of kind {KindName(keyword.Kind)}; only opt-out keywords can be tenant-wide";
            return false;
        }

        if (keyword.LanguageCode.Length != 0 && !TextLimits.IsLanguageCode(keyword.LanguageCode))
        {
            error = $"{field}.language_code: \"{keyword.LanguageCode}\" of {text} is not a BCP 47 tag of at most {TextLimits.MaxLanguageCode} characters";
            return false;
        }

        validated = new MoKeyword(text, keyword.Kind, keyword.MatchMode, keyword.LanguageCode, keyword.TenantWide);
        error = null;
        return true;
    }

    private static bool TryAddUnique(
        ImmutableArray<MoKeyword>.Builder builder, MoKeyword keyword, string field, [NotNullWhen(false)] out string? error)
    {
        foreach (var existing in builder)
        {
            if (existing.Text == keyword.Text)
            {
                error = $"{field}.text: {keyword.Text} is already in the set; keywords are unique after normalization";
                return false;
            }
        }

        builder.Add(keyword);
        error = null;
        return true;
    }

    private static string KindName(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => "opt-out",
        KeywordKind.OptIn => "opt-in",
        KeywordKind.Help => "help",
        _ => kind.ToString(),
    };
}
