using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;
using static OptOutGate.Engine.Tests.Mo.Keywords.TestKeywordSets;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

public sealed class KeywordSetTests
{
    [Theory]
    [InlineData("STOP", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("STOPALL", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("STOP ALL", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("UNSUBSCRIBE", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("UNSUB", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("REVOKE", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("OPTOUT", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("OPT OUT", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("QUIT", KeywordKind.OptOut, MatchMode.Leading, "en", true)]
    [InlineData("CANCEL", KeywordKind.OptOut, MatchMode.Exact, "en", true)]
    [InlineData("END", KeywordKind.OptOut, MatchMode.Exact, "en", true)]
    [InlineData("REMOVE", KeywordKind.OptOut, MatchMode.Exact, "en", true)]
    [InlineData("ARRET", KeywordKind.OptOut, MatchMode.Exact, "fr", true)]
    [InlineData("BAJA", KeywordKind.OptOut, MatchMode.Exact, "es", true)]
    [InlineData("PARAR", KeywordKind.OptOut, MatchMode.Exact, "es", true)]
    [InlineData("DETENER", KeywordKind.OptOut, MatchMode.Exact, "es", true)]
    [InlineData("CANCELAR", KeywordKind.OptOut, MatchMode.Exact, "es", true)]
    [InlineData("HALT", KeywordKind.OptOut, MatchMode.Exact, "en", true)]
    [InlineData("FERMA", KeywordKind.OptOut, MatchMode.Exact, "it", true)]
    [InlineData("STOPP", KeywordKind.OptOut, MatchMode.Exact, "de", true)]
    [InlineData("TD", KeywordKind.OptOut, MatchMode.Exact, "zh", true)]
    [InlineData("退订", KeywordKind.OptOut, MatchMode.Exact, "zh", true)]
    [InlineData("START", KeywordKind.OptIn, MatchMode.Exact, "en", false)]
    [InlineData("UNSTOP", KeywordKind.OptIn, MatchMode.Exact, "en", false)]
    [InlineData("SUBSCRIBE", KeywordKind.OptIn, MatchMode.Exact, "en", false)]
    [InlineData("RESUME", KeywordKind.OptIn, MatchMode.Exact, "en", false)]
    [InlineData("NONARRET", KeywordKind.OptIn, MatchMode.Exact, "fr", false)]
    [InlineData("HELP", KeywordKind.Help, MatchMode.Leading, "en", false)]
    [InlineData("INFO", KeywordKind.Help, MatchMode.Leading, "en", false)]
    [InlineData("AIDE", KeywordKind.Help, MatchMode.Leading, "fr", false)]
    [InlineData("AYUDA", KeywordKind.Help, MatchMode.Leading, "es", false)]
    [InlineData("AJUDA", KeywordKind.Help, MatchMode.Leading, "pt", false)]
    [InlineData("HILFE", KeywordKind.Help, MatchMode.Leading, "de", false)]
    public void Default_HasTheDesignKeywords(string text, KeywordKind kind, MatchMode mode, string language, bool optOut)
    {
        Assert.True(KeywordSet.Default.TryGetKeyword(text, out var keyword));
        Assert.Equal(kind, keyword.Kind);
        Assert.Equal(mode, keyword.Mode);
        Assert.Equal(language, keyword.LanguageCode);
        Assert.Equal(optOut && text is "STOPALL" or "STOP ALL", keyword.TenantWide);
    }

    [Fact]
    public void Default_HasExactlyTheDesignLists()
    {
        Assert.Equal(33, KeywordSet.Default.Keywords.Length);
        Assert.Equal(
            ["STOP TEXTING", "STOP SENDING", "STOP MESSAGING", "PLEASE STOP", "PLEASE UNSUBSCRIBE", "REMOVE ME",
             "TAKE ME OFF", "DO NOT TEXT", "DONT TEXT", "NO MORE TEXTS", "DAR DE BAJA", "NO MAS"],
            KeywordSet.RevocationPhrases.ToArray());
    }

    [Fact]
    public void TryCreate_FromTheDefaultProtos_GivesTheDefaultSet()
    {
        Assert.True(KeywordSet.TryCreate(KeywordSet.DefaultKeywordProtos(), out var set, out var error), error);
        Assert.Equal(
            KeywordSet.Default.Keywords.Select(k => k.ToProto()),
            set.Keywords.Select(k => k.ToProto()));
    }

    /// <summary>The FCC's per-se opt-out words besides STOP (47 CFR 64.1200(a)(10)): every keyword set keeps them.</summary>
    private static Keyword[] PerSe() =>
    [
        Keyword("QUIT", KeywordKind.OptOut, MatchMode.Exact),
        Keyword("END", KeywordKind.OptOut, MatchMode.Exact),
        Keyword("REVOKE", KeywordKind.OptOut, MatchMode.Exact),
        Keyword("OPT OUT", KeywordKind.OptOut, MatchMode.Exact),
        Keyword("CANCEL", KeywordKind.OptOut, MatchMode.Exact),
        Keyword("UNSUBSCRIBE", KeywordKind.OptOut, MatchMode.Exact),
    ];

    [Fact]
    public void TryCreate_StoresNormalizedTexts()
    {
        Keyword[] keywords =
        [
            Keyword("stop", KeywordKind.OptOut, MatchMode.Leading),
            Keyword("Start", KeywordKind.OptIn, MatchMode.Exact),
            Keyword("help!", KeywordKind.Help, MatchMode.Leading),
            Keyword("Arrêt-tout", KeywordKind.OptOut, MatchMode.Exact, "fr", tenantWide: true),
            .. PerSe(),
        ];

        Assert.True(KeywordSet.TryCreate(keywords, out var set, out var error), error);

        Assert.Equal(["STOP", "START", "HELP", "ARRET TOUT"], set.Keywords.Take(4).Select(k => k.Text));
        var proto = set.Keywords[3].ToProto();
        Assert.Equal("ARRET TOUT", proto.Text);
        Assert.True(proto.TenantWide);
        Assert.Equal("fr", proto.LanguageCode);
    }

    [Fact]
    public void TryCreate_ACompleteSetReplacesTheDefaults()
    {
        Keyword[] keywords =
        [
            Keyword("STOP", KeywordKind.OptOut, MatchMode.Leading),
            Keyword("START", KeywordKind.OptIn, MatchMode.Exact),
            Keyword("HELP", KeywordKind.Help, MatchMode.Leading),
            .. PerSe(),
        ];
        Assert.True(KeywordSet.TryCreate(keywords, out var set, out _));

        Assert.Equal(MoAction.OptedOut, MoClassifier.Classify("stop", set).Action);
        Assert.Equal(MoAction.OptedOut, MoClassifier.Classify("END", set).Action);
        Assert.Equal(MoAction.None, MoClassifier.Classify("HALT", set).Action);
        Assert.Equal(MoAction.None, MoClassifier.Classify("UNSUB", set).Action);
        // The revocation phrases are built in, whatever the keywords.
        Assert.Equal(ClassificationRule.RevocationPhrase, MoClassifier.Classify("please remove me", set).Rule);
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("QUIT")]
    [InlineData("END")]
    [InlineData("REVOKE")]
    [InlineData("OPT OUT")]
    [InlineData("CANCEL")]
    [InlineData("UNSUBSCRIBE")]
    [InlineData("START")]
    [InlineData("HELP")]
    public void TryCreate_WithoutARequiredKeyword_FailsNamingIt(string missing)
    {
        var keywords = new List<Keyword>
        {
            Keyword("STOP", KeywordKind.OptOut, MatchMode.Leading),
            Keyword("START", KeywordKind.OptIn, MatchMode.Exact),
            Keyword("HELP", KeywordKind.Help, MatchMode.Leading),
        };
        keywords.AddRange(PerSe());
        keywords.RemoveAll(k => k.Text == missing);

        Assert.False(KeywordSet.TryCreate(keywords, out var set, out var error));
        Assert.Null(set);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_AnEmptyList_Fails()
    {
        Assert.False(KeywordSet.TryCreate([], out _, out var error));
        Assert.Contains("STOP", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_StopOfAnotherKind_Fails()
    {
        Keyword[] keywords =
        [
            Keyword("STOP", KeywordKind.OptIn, MatchMode.Exact),
            Keyword("START", KeywordKind.OptIn, MatchMode.Exact),
            Keyword("HELP", KeywordKind.Help, MatchMode.Leading),
            .. PerSe(),
        ];

        Assert.False(KeywordSet.TryCreate(keywords, out _, out var error));
        Assert.Contains("STOP must be of kind opt-out", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_MoreThan200Keywords_Fails()
    {
        var keywords = new List<Keyword>(KeywordSet.DefaultKeywordProtos());
        for (var i = 0; keywords.Count <= KeywordSet.MaxKeywords; i++)
        {
            keywords.Add(Keyword("EXTRA" + i, KeywordKind.OptOut, MatchMode.Exact));
        }

        Assert.False(KeywordSet.TryCreate(keywords, out _, out var error));
        Assert.Contains("at most 200", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("stop")]
    [InlineData("quit")]
    [InlineData("End")]
    [InlineData("REVOKE")]
    [InlineData("opt-out")]
    [InlineData("Cancel")]
    [InlineData("UNSUBSCRIBE")]
    [InlineData("START")]
    [InlineData("Help!")]
    public void TryCreateFromDefaults_RemovingARequiredKeyword_FailsNamingIt(string removal)
    {
        Assert.False(KeywordSet.TryCreateFromDefaults([], [removal], out var set, out var error));
        Assert.Null(set);
        Assert.Contains(MoTextNormalizer.Normalize(removal) + " cannot be removed", error, StringComparison.Ordinal);
        Assert.StartsWith("removals[0]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreateFromDefaults_RemovingAnUnknownKeyword_Fails()
    {
        Assert.False(KeywordSet.TryCreateFromDefaults([], ["ALTO"], out _, out var error));
        Assert.Contains("ALTO", error, StringComparison.Ordinal);
        Assert.Contains("not a default keyword", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreateFromDefaults_RemovesDefaultsAndAddsKeywords()
    {
        Assert.True(KeywordSet.TryCreateFromDefaults(
            [Keyword("alto", KeywordKind.OptOut, MatchMode.Leading, "es")], ["Halt", "stop all"], out var set, out var error), error);

        Assert.False(set.TryGetKeyword("HALT", out _));
        Assert.False(set.TryGetKeyword("STOP ALL", out _));
        Assert.True(set.TryGetKeyword("STOPALL", out _));
        Assert.True(set.TryGetKeyword("ALTO", out var alto));
        Assert.Equal("es", alto.LanguageCode);
        Assert.Equal(KeywordSet.Default.Keywords.Length - 1, set.Keywords.Length);

        // Without STOP ALL, "STOP ALL" is STOP followed by another word.
        var result = MoClassifier.Classify("stop all", set);
        Assert.Equal(ClassificationRule.LeadingOptOut, result.Rule);
        Assert.Equal("STOP", result.MatchedKeyword);
        Assert.False(result.TenantWide);
    }

    [Fact]
    public void TryCreateFromDefaults_RedefiningADefault_NeedsItsRemovalFirst()
    {
        var leadingHalt = Keyword("HALT", KeywordKind.OptOut, MatchMode.Leading);

        Assert.False(KeywordSet.TryCreateFromDefaults([leadingHalt], [], out _, out var error));
        Assert.Contains("HALT is already in the set", error, StringComparison.Ordinal);

        Assert.True(KeywordSet.TryCreateFromDefaults([leadingHalt], ["HALT"], out var set, out error), error);
        var result = MoClassifier.Classify("HALT please", set);
        Assert.Equal(MoAction.OptedOut, result.Action);
        Assert.Equal(ClassificationRule.LeadingOptOut, result.Rule);
    }

    [Fact]
    public void Validation_AKeywordOf30CharactersAfterNormalization_IsAccepted()
    {
        var thirty = new string('A', 30);
        Assert.True(KeywordSet.TryCreateFromDefaults(
            [Keyword(thirty, KeywordKind.OptOut, MatchMode.Exact)], [], out var set, out var error), error);
        Assert.True(set.TryGetKeyword(thirty, out _));

        // Punctuation around it does not count: it is gone after normalization.
        Assert.True(KeywordSet.TryCreateFromDefaults(
            [Keyword("¡¡¡" + new string('b', 30) + "!!!", KeywordKind.OptOut, MatchMode.Exact)], [], out _, out error), error);

        // Characters are code points: 30 letters beyond the BMP are 60 chars, and fine.
        Assert.True(KeywordSet.TryCreateFromDefaults(
            [Keyword(string.Concat(Enumerable.Repeat("𠀀", 30)), KeywordKind.OptOut, MatchMode.Exact)], [], out _, out error), error);
    }

    [Theory]
    [InlineData("AAAAAAAAAABBBBBBBBBBCCCCCCCCCCD", "31 characters")]
    [InlineData("please do not send me any more messages", "39 characters")]
    [InlineData("", "empty")]
    [InlineData("!!!", "empty after normalization")]
    [InlineData("😡", "empty after normalization")]
    [InlineData("  ", "empty after normalization")]
    public void Validation_KeywordTextOutOfLimits_FailsNamingTheField(string text, string message)
    {
        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword(text, KeywordKind.OptOut, MatchMode.Exact)], [], out _, out var error));
        Assert.StartsWith("additions[0].text", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_DuplicatesAfterNormalization_Fail()
    {
        Keyword[] keywords =
        [
            Keyword("Alto", KeywordKind.OptOut, MatchMode.Leading),
            Keyword("ALTO!", KeywordKind.OptIn, MatchMode.Exact),
        ];

        Assert.False(KeywordSet.TryCreateFromDefaults(keywords, [], out _, out var error));
        Assert.StartsWith("additions[1].text", error, StringComparison.Ordinal);
        Assert.Contains("ALTO is already in the set", error, StringComparison.Ordinal);

        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("Stop-All", KeywordKind.OptOut, MatchMode.Leading)], [], out _, out error));
        Assert.Contains("STOP ALL is already in the set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_KindModeTenantWideAndLanguage_AreChecked()
    {
        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("ALTO", KeywordKind.Unspecified, MatchMode.Exact)], [], out _, out var error));
        Assert.StartsWith("additions[0].kind", error, StringComparison.Ordinal);

        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("ALTO", KeywordKind.OptOut, MatchMode.Unspecified)], [], out _, out error));
        Assert.StartsWith("additions[0].match_mode", error, StringComparison.Ordinal);

        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("YES", KeywordKind.OptIn, MatchMode.Exact, tenantWide: true)], [], out _, out error));
        Assert.StartsWith("additions[0].tenant_wide", error, StringComparison.Ordinal);

        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("ALTO", KeywordKind.OptOut, MatchMode.Exact, "es_MX")], [], out _, out error));
        Assert.StartsWith("additions[0].language_code", error, StringComparison.Ordinal);

        Assert.False(KeywordSet.TryCreateFromDefaults(
            [Keyword("ALTO", KeywordKind.OptOut, MatchMode.Exact, new string('a', 36))], [], out _, out error));
        Assert.StartsWith("additions[0].language_code", error, StringComparison.Ordinal);

        Assert.True(KeywordSet.TryCreateFromDefaults(
            [Keyword("ALTO", KeywordKind.OptOut, MatchMode.Exact, "es-419")], [], out _, out error), error);
    }

    [Fact]
    public void KeywordSets_AreSharedSafelyBetweenThreads()
    {
        var set = Custom;
        string[] texts = ["STOP", "stop everything now", "cancel my appointment", "YES", "help me", "ok please stop now", "hi"];
        var expected = texts.Select(t => MoClassifier.Classify(t, set)).ToArray();

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var k = i % texts.Length;
            Assert.Equal(expected[k], MoClassifier.Classify(texts[k], set));
        });
    }
}
