using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

/// <summary>
/// The table-driven corpus of mo-corpus.tsv: every row is one test case (its line number and escaped text in the
/// test name), checked for action, rule, keyword, language and scope.
/// </summary>
public sealed class MoClassifierCorpusTests
{
    public static TheoryData<int, string, string, int, string, string, string, string> Corpus
    {
        get
        {
            var data = new TheoryData<int, string, string, int, string, string, string, string>();
            foreach (var row in MoCorpus.Rows)
            {
                data.Add(row.Line, row.Text, row.Action, row.Rule, row.Keyword, row.Language, row.Scope, row.Set);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void CorpusRow_IsClassifiedAsExpected(
        int line, string text, string action, int rule, string keyword, string language, string scope, string set)
    {
        var result = MoClassifier.Classify(MoCorpus.Unescape(text), TestKeywordSets.Named(set));

        var expected = $"{action} rule {rule} [{keyword}] {language} {scope}";
        var actualScope = result.TenantWide ? "tenant" : result.Action is MoAction.OptedOut or MoAction.Ambiguous ? "sender" : "";
        var actual = $"{ActionName(result.Action)} rule {(int)result.Rule} [{result.MatchedKeyword}] {result.LanguageCode} {actualScope}";
        Assert.True(expected == actual, $"line {line}: expected {expected}, got {actual} (normalized \"{result.NormalizedText}\")");
    }

    [Fact]
    public void Corpus_CoversEveryRuleEveryDefaultKeywordAndEveryLanguage()
    {
        var rows = MoCorpus.Rows;
        Assert.True(rows.Count >= 150, $"{rows.Count} rows; the corpus keeps at least 150");

        for (var rule = 1; rule <= 7; rule++)
        {
            Assert.Contains(rows, r => r.Rule == rule && r.Set == "default");
        }

        foreach (var keyword in KeywordSet.Default.Keywords)
        {
            Assert.True(
                rows.Any(r => r.Keyword == keyword.Text && r.Set == "default"),
                $"no corpus row decided by the default keyword {keyword.Text}");
        }

        foreach (var phrase in KeywordSet.RevocationPhrases)
        {
            Assert.True(rows.Any(r => r.Keyword == phrase && r.Rule == 3), $"no corpus row for the revocation phrase {phrase}");
        }

        foreach (var language in new[] { "en", "es", "fr", "pt", "de", "it", "zh" })
        {
            Assert.Contains(rows, r => r.Language == language);
        }

        Assert.Contains(rows, r => r.Scope == "tenant" && r.Rule == 1);
        Assert.Contains(rows, r => r.Scope == "tenant" && r.Rule == 2);
        Assert.Contains(rows, r => r.Set == "custom");
    }

    private static string ActionName(MoAction action) => action switch
    {
        MoAction.OptedOut => "OPTED_OUT",
        MoAction.OptedIn => "OPTED_IN",
        MoAction.Help => "HELP",
        MoAction.Ambiguous => "AMBIGUOUS",
        MoAction.None => "NONE",
        _ => action.ToString(),
    };
}
