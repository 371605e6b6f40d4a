using System.Collections.Immutable;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

// The built-in keywords and phrases of DESIGN.md ("Handling an MO message"). Every static field with an initializer
// lives in this file, so their order is the textual order here: the phrases exist before Default is compiled.
public sealed partial class KeywordSet
{
    /// <summary>
    /// Rule 3's unambiguous revocation phrases, matched anywhere in a message as whole words, whatever the keyword
    /// set. Built in, not configurable (the contract has no field for them). Languages: "DAR DE BAJA" and "NO MAS" are
    /// Spanish, the others English.
    /// </summary>
    private static readonly (string Text, string LanguageCode)[] Phrases =
    [
        ("STOP TEXTING", "en"),
        ("STOP SENDING", "en"),
        ("STOP MESSAGING", "en"),
        ("PLEASE STOP", "en"),
        ("PLEASE UNSUBSCRIBE", "en"),
        ("REMOVE ME", "en"),
        ("TAKE ME OFF", "en"),
        ("DO NOT TEXT", "en"),
        ("DONT TEXT", "en"),
        ("NO MORE TEXTS", "en"),
        ("DAR DE BAJA", "es"),
        ("NO MAS", "es"),
    ];

    /// <summary>
    /// The keywords every set keeps, with their kind: they can be neither removed nor redefined. The opt-outs are the
    /// FCC's per-se revocation words (47 CFR 64.1200(a)(10): "stop, quit, end, revoke, opt out, cancel, unsubscribe"),
    /// which a sender must always honour.
    /// </summary>
    internal static readonly (string Text, KeywordKind Kind)[] Required =
    [
        ("STOP", KeywordKind.OptOut),
        ("QUIT", KeywordKind.OptOut),
        ("END", KeywordKind.OptOut),
        ("REVOKE", KeywordKind.OptOut),
        ("OPT OUT", KeywordKind.OptOut),
        ("CANCEL", KeywordKind.OptOut),
        ("UNSUBSCRIBE", KeywordKind.OptOut),
        ("START", KeywordKind.OptIn),
        ("HELP", KeywordKind.Help),
    ];

    /// <summary>The required keywords as a sentence, for error messages.</summary>
    internal const string RequiredText = "STOP, QUIT, END, REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE (opt-out; the FCC's per-se words), START and HELP";

    private static readonly KeywordCandidate[] PhraseCandidates = CompilePhrases();

    /// <summary>The revocation phrases of rule 3, normalized.</summary>
    public static ImmutableArray<string> RevocationPhrases { get; } = [.. PhraseTexts()];

    /// <summary>
    /// The built-in set: what an inbound address uses when neither it nor its tenant configures keywords. Languages
    /// are those the words obviously belong to, so a reply can be chosen in the language the recipient wrote in.
    /// </summary>
    public static KeywordSet Default { get; } = CreateDefault();

    /// <summary>The default keywords as the contract writes them.</summary>
    public static IReadOnlyList<Keyword> DefaultKeywordProtos() =>
    [
        // Opt-out, LEADING.
        OptOut("STOP", MatchMode.Leading, "en"),
        OptOut("STOPALL", MatchMode.Leading, "en", tenantWide: true),
        OptOut("STOP ALL", MatchMode.Leading, "en", tenantWide: true),
        OptOut("UNSUBSCRIBE", MatchMode.Leading, "en"),
        OptOut("UNSUB", MatchMode.Leading, "en"),
        OptOut("REVOKE", MatchMode.Leading, "en"),
        OptOut("OPTOUT", MatchMode.Leading, "en"),
        OptOut("OPT OUT", MatchMode.Leading, "en"),
        OptOut("QUIT", MatchMode.Leading, "en"),

        // Opt-out, EXACT.
        OptOut("CANCEL", MatchMode.Exact, "en"),
        OptOut("END", MatchMode.Exact, "en"),
        OptOut("REMOVE", MatchMode.Exact, "en"),
        OptOut("ARRET", MatchMode.Exact, "fr"),
        OptOut("BAJA", MatchMode.Exact, "es"),
        OptOut("PARAR", MatchMode.Exact, "es"),
        OptOut("DETENER", MatchMode.Exact, "es"),
        OptOut("CANCELAR", MatchMode.Exact, "es"),
        OptOut("HALT", MatchMode.Exact, "en"),
        OptOut("FERMA", MatchMode.Exact, "it"),
        OptOut("STOPP", MatchMode.Exact, "de"),
        OptOut("TD", MatchMode.Exact, "zh"),
        OptOut("退订", MatchMode.Exact, "zh"),

        // Opt-in, EXACT.
        Other("START", KeywordKind.OptIn, MatchMode.Exact, "en"),
        Other("UNSTOP", KeywordKind.OptIn, MatchMode.Exact, "en"),
        Other("SUBSCRIBE", KeywordKind.OptIn, MatchMode.Exact, "en"),
        Other("RESUME", KeywordKind.OptIn, MatchMode.Exact, "en"),
        Other("NONARRET", KeywordKind.OptIn, MatchMode.Exact, "fr"),

        // Help, LEADING.
        Other("HELP", KeywordKind.Help, MatchMode.Leading, "en"),
        Other("INFO", KeywordKind.Help, MatchMode.Leading, "en"),
        Other("AIDE", KeywordKind.Help, MatchMode.Leading, "fr"),
        Other("AYUDA", KeywordKind.Help, MatchMode.Leading, "es"),
        Other("AJUDA", KeywordKind.Help, MatchMode.Leading, "pt"),
        Other("HILFE", KeywordKind.Help, MatchMode.Leading, "de"),
    ];

    private static Keyword OptOut(string text, MatchMode mode, string language, bool tenantWide = false) =>
        new() { Text = text, Kind = KeywordKind.OptOut, MatchMode = mode, LanguageCode = language, TenantWide = tenantWide };

    private static Keyword Other(string text, KeywordKind kind, MatchMode mode, string language) =>
        new() { Text = text, Kind = kind, MatchMode = mode, LanguageCode = language };

    private static KeywordCandidate[] CompilePhrases()
    {
        var candidates = new KeywordCandidate[Phrases.Length];
        for (var i = 0; i < Phrases.Length; i++)
        {
            var (text, language) = Phrases[i];
            candidates[i] = new KeywordCandidate(
                MoTextNormalizer.Normalize(text), CandidateKind.RevocationPhrase, MatchMode.Leading, language, tenantWide: false);
        }

        return candidates;
    }

    private static IEnumerable<string> PhraseTexts()
    {
        foreach (var phrase in PhraseCandidates)
        {
            yield return phrase.Text;
        }
    }

    private static KeywordSet CreateDefault()
    {
        if (!TryCreate(DefaultKeywordProtos(), out var set, out var error))
        {
            throw new InvalidOperationException("The built-in keyword set is invalid: " + error);
        }

        return set;
    }
}
