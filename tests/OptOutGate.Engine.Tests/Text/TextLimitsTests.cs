using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using OptOutGate.Engine.Text;

namespace OptOutGate.Engine.Tests.Text;

/// <summary>The contract's string rules, checked against their definitions on generated strings.</summary>
public sealed partial class TextLimitsTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(2_000);

    [Fact]
    public void CodePoints_CountSurrogatePairsOnce()
    {
        Assert.Equal(0, TextLimits.CodePoints(""));
        Assert.Equal(4, TextLimits.CodePoints("STOP"));
        Assert.Equal(32, TextLimits.CodePoints(string.Concat(Enumerable.Repeat("😀", 32))));
        Assert.False(TextLimits.Exceeds(string.Concat(Enumerable.Repeat("😀", 32)), TextLimits.MaxSender));
        Assert.True(TextLimits.Exceeds(string.Concat(Enumerable.Repeat("😀", 33)), TextLimits.MaxSender));
    }

    /// <summary>Exceeds is CodePoints(text) &gt; limit, whatever mix of one- and two-unit characters the text holds.</summary>
    [Fact]
    public void Exceeds_IsTheCodePointCountAgainstTheLimit()
    {
        var texts = Gen.ArrayOf(Gen.Elements("a", "é", "😀", "退", "\uD83D")).Select(static parts => string.Concat(parts));
        Prop.ForAll(Arb.From(texts), Arb.From(Gen.Choose(0, 40)), static (text, limit) =>
            TextLimits.Exceeds(text, limit) == (text.EnumerateRunes().Count() > limit)).Check(Cases);
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("es-419", true)]
    [InlineData("zh-Hant-TW", true)]
    [InlineData("e", false)]
    [InlineData("es_MX", false)]
    [InlineData("en-", false)]
    [InlineData("-en", false)]
    [InlineData("en--US", false)]
    [InlineData("1en", false)]
    [InlineData("toolongxx", false)]
    public void IsLanguageCode_Examples(string code, bool expected) => Assert.Equal(expected, TextLimits.IsLanguageCode(code));

    /// <summary>IsLanguageCode agrees with the tag's grammar on strings of letters, digits, hyphens and underscores.</summary>
    [Fact]
    public void IsLanguageCode_AgreesWithTheGrammar()
    {
        var codes = Gen.ArrayOf(Gen.Elements('a', 'Z', 'q', '4', '-', '_')).Select(static chars => new string(chars));
        Prop.ForAll(Arb.From(codes), static code =>
            TextLimits.IsLanguageCode(code) == (code.Length <= TextLimits.MaxLanguageCode && Grammar().IsMatch(code))).Check(Cases);
    }

    [GeneratedRegex("^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex Grammar();
}
