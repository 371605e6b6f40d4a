using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

/// <summary>The keyword sets the corpus names: "default" (built in) and "custom" (an inbound address's own).</summary>
internal static class TestKeywordSets
{
    private static readonly Lazy<KeywordSet> LazyCustom = new(CreateCustom);

    /// <summary>
    /// The defaults without HALT, plus ALTO (opt-out, LEADING, es), STOP EVERYTHING (opt-out, LEADING, tenant-wide),
    /// YES (opt-in, EXACT), REJOIN (opt-in, LEADING) and AIUTO (help, LEADING, it).
    /// </summary>
    public static KeywordSet Custom => LazyCustom.Value;

    public static KeywordSet Named(string name) => name switch
    {
        "default" => KeywordSet.Default,
        "custom" => Custom,
        _ => throw new ArgumentException($"Unknown keyword set '{name}' in the corpus.", nameof(name)),
    };

    public static Keyword Keyword(
        string text, KeywordKind kind, MatchMode mode, string language = "", bool tenantWide = false) =>
        new() { Text = text, Kind = kind, MatchMode = mode, LanguageCode = language, TenantWide = tenantWide };

    private static KeywordSet CreateCustom()
    {
        Keyword[] additions =
        [
            Keyword("Alto", KeywordKind.OptOut, MatchMode.Leading, "es"),
            Keyword("Stop everything", KeywordKind.OptOut, MatchMode.Leading, "en", tenantWide: true),
            Keyword("yes", KeywordKind.OptIn, MatchMode.Exact, "en"),
            Keyword("REJOIN", KeywordKind.OptIn, MatchMode.Leading, "en"),
            Keyword("Aiuto", KeywordKind.Help, MatchMode.Leading, "it"),
        ];
        if (!KeywordSet.TryCreateFromDefaults(additions, ["halt"], out var set, out var error))
        {
            throw new InvalidOperationException(error);
        }

        return set;
    }
}
