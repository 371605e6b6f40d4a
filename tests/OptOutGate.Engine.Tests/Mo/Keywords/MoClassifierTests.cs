using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

public sealed class MoClassifierTests
{
    [Fact]
    public void RuleNumbers_AreTheContractsClassificationRules()
    {
        Assert.Equal(1, (int)ClassificationRule.ExactOptOut);
        Assert.Equal(2, (int)ClassificationRule.LeadingOptOut);
        Assert.Equal(3, (int)ClassificationRule.RevocationPhrase);
        Assert.Equal(4, (int)ClassificationRule.ExactOptIn);
        Assert.Equal(5, (int)ClassificationRule.LeadingHelp);
        Assert.Equal(6, (int)ClassificationRule.AmbiguousKeyword);
        Assert.Equal(7, (int)ClassificationRule.None);
    }

    [Fact]
    public void StopAll_IsATenantWideOptOutWithItsLanguageAndNormalizedText()
    {
        var result = MoClassifier.Classify("Stop all, please!", KeywordSet.Default);

        Assert.Equal(MoAction.OptedOut, result.Action);
        Assert.Equal(ClassificationRule.LeadingOptOut, result.Rule);
        Assert.Equal("STOP ALL", result.MatchedKeyword);
        Assert.Equal("en", result.LanguageCode);
        Assert.True(result.TenantWide);
        Assert.True(result.IsOptOut);
        Assert.Equal("STOP ALL PLEASE", result.NormalizedText);
    }

    [Fact]
    public void None_HasNoKeywordLanguageOrScope()
    {
        var result = MoClassifier.Classify("Thanks, see you!", KeywordSet.Default);

        Assert.Equal(MoAction.None, result.Action);
        Assert.Equal(ClassificationRule.None, result.Rule);
        Assert.Equal("", result.MatchedKeyword);
        Assert.Equal("", result.LanguageCode);
        Assert.False(result.TenantWide);
        Assert.Equal("THANKS SEE YOU", result.NormalizedText);
    }

    [Fact]
    public void NormalizedText_ReusesTheInputOrTheKeywordInsteadOfCopying()
    {
        const string stop = "STOP";
        Assert.Same(stop, MoClassifier.Classify(stop, KeywordSet.Default).NormalizedText);

        var result = MoClassifier.Classify("Stop.", KeywordSet.Default);
        Assert.Same(result.MatchedKeyword, result.NormalizedText);
    }

    [Theory]
    [InlineData("STOP")]
    [InlineData("Stop.")]
    [InlineData("arrêt")]
    [InlineData("退订")]
    [InlineData("STOP😡")]
    [InlineData("ＳＴＯＰ")]
    [InlineData("STOP please")]
    [InlineData("when does the sale END?")]
    public void Classify_AllocatesAtMostTheNormalizedText(string text)
    {
        var set = KeywordSet.Default;
        for (var i = 0; i < 100; i++)
        {
            MoClassifier.Classify(text, set);
        }

        var normalized = MoClassifier.Classify(text, set).NormalizedText;
        var budget = ReferenceEquals(normalized, text) || set.TryGetKeyword(normalized, out _)
            ? 0
            : 100 * (24 + (2 * normalized.Length) + 8);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            MoClassifier.Classify(text, set);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= budget, $"{allocated} bytes for 100 calls; budget {budget}");
    }

    [Fact]
    public void LongMessages_BeyondTheStackBuffers_AreClassified()
    {
        var filler = string.Concat(Enumerable.Repeat("bla bla ", 500));
        Assert.Equal(MoAction.Ambiguous, MoClassifier.Classify(filler + "cancel", KeywordSet.Default).Action);
        Assert.Equal(MoAction.OptedOut, MoClassifier.Classify(filler + "please stop", KeywordSet.Default).Action);
        Assert.Equal(MoAction.OptedOut, MoClassifier.Classify("STOP " + filler, KeywordSet.Default).Action);

        var accented = string.Concat(Enumerable.Repeat("très bien ", 400));
        var result = MoClassifier.Classify(accented + "arrêt", KeywordSet.Default);
        Assert.Equal(MoAction.Ambiguous, result.Action);
        Assert.Equal("ARRET", result.MatchedKeyword);
    }

    [Fact]
    public void AnywhereRules_TakeTheLongestMatch_ThenTheLeftmost()
    {
        var longest = MoClassifier.Classify("we end at 5 and cancel at 6", KeywordSet.Default);
        Assert.Equal("CANCEL", longest.MatchedKeyword);

        var leftmost = MoClassifier.Classify("halt at the end", KeywordSet.Default);
        Assert.Equal("HALT", leftmost.MatchedKeyword);

        var phrase = MoClassifier.Classify("remove me and please stop texting", KeywordSet.Default);
        Assert.Equal(ClassificationRule.RevocationPhrase, phrase.Rule);
        Assert.Equal("STOP TEXTING", phrase.MatchedKeyword);
    }
}
