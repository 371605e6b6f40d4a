using System.Globalization;
using System.Text;
using OptOutGate.Engine.Mo.Keywords;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

public sealed class MoTextNormalizerTests
{
    [Theory]
    // The examples of DESIGN.md.
    [InlineData("Stop.", "STOP")]
    [InlineData("opt-out", "OPT OUT")]
    [InlineData("STOP😡", "STOP")]
    [InlineData("Don't", "DONT")]
    [InlineData("ARRÊT", "ARRET")]
    [InlineData("退订", "退订")]
    // Apostrophes: the two the design names, and the ones phones type in their place.
    [InlineData("Don’t", "DONT")]
    [InlineData("Don‘t", "DONT")]
    [InlineData("Donʼt", "DONT")]
    [InlineData("Don`t", "DONT")]
    [InlineData("Don＇t", "DONT")]
    [InlineData("rock ' n ' roll", "ROCK N ROLL")]
    // Case, whitespace, line breaks, punctuation, symbols.
    [InlineData("  stop \t all \r\n now  ", "STOP ALL NOW")]
    [InlineData("stop\u00A0all", "STOP ALL")]
    [InlineData("stop\u3000all", "STOP ALL")]
    [InlineData("STOP_ALL", "STOP ALL")]
    [InlineData("stop...please!!!", "STOP PLEASE")]
    [InlineData("$5 off! #deal @shop", "5 OFF DEAL SHOP")]
    [InlineData("\u201CSTOP\u201D", "STOP")]
    [InlineData("STOP\u200BNOW", "STOP NOW")]
    [InlineData("👍🏽 ok 👍🏽", "OK")]
    [InlineData("1️⃣ STOP", "1 STOP")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("😡🛑", "")]
    // NFKC, then diacritics removed.
    [InlineData("ＳＴＯＰ", "STOP")]
    [InlineData("𝐒𝐓𝐎𝐏", "STOP")]
    [InlineData("ﬁn", "FIN")]
    [InlineData("Ⓢtop", "STOP")]
    [InlineData("²", "2")]
    [InlineData("Détener", "DETENER")]
    [InlineData("ARRE\u0302T", "ARRET")]
    [InlineData("No más", "NO MAS")]
    [InlineData("ÇA SUFFIT", "CA SUFFIT")]
    [InlineData("İstanbul", "ISTANBUL")]
    [InlineData("straße", "STRAßE")]
    [InlineData("Привет", "ПРИВЕТ")]
    // Scripts: recomposed Hangul, kept spacing marks (Devanagari vowel signs), letters beyond the BMP.
    [InlineData("한국어", "한국어")]
    [InlineData("रोको", "रोको")]
    [InlineData("𠀀退订", "𠀀退订")]
    [InlineData("停止。谢谢", "停止 谢谢")]
    [InlineData("ﾃｽﾄ", "テスト")]
    // An unpaired surrogate is a symbol (U+FFFD): a space.
    [InlineData("\uD800STOP", "STOP")]
    [InlineData("ST\uDC00OP é", "ST OP E")]
    public void Normalize_FollowsThePipeline(string text, string expected)
    {
        Assert.Equal(expected, MoTextNormalizer.Normalize(text));
    }

    [Fact]
    public void Normalize_ReturnsTheSameStringWhenAlreadyNormalized()
    {
        const string text = "STOP ALL";
        Assert.Same(text, MoTextNormalizer.Normalize(text));
    }

    [Fact]
    public void Normalize_LongTextsBeyondTheStackBuffers()
    {
        var ascii = string.Concat(Enumerable.Repeat("Stop, please! ", 400));
        Assert.Equal(string.Join(' ', Enumerable.Repeat("STOP PLEASE", 400)), MoTextNormalizer.Normalize(ascii));

        var accented = string.Concat(Enumerable.Repeat("é", 1000));
        Assert.Equal(new string('E', 1000), MoTextNormalizer.Normalize(accented));

        // U+FDFA decomposes into 18 chars: far more than the doubled buffer the first attempt uses.
        var expanding = string.Concat(Enumerable.Repeat("\uFDFA", 300));
        Assert.Equal(Reference(expanding), MoTextNormalizer.Normalize(expanding));
    }

    [Fact]
    public void Normalize_MatchesAStringByStringReferenceOnRandomText()
    {
        var random = new Random(20240404);
        for (var i = 0; i < 5000; i++)
        {
            var text = RandomText(random);
            Assert.Equal(Reference(text), MoTextNormalizer.Normalize(text));
        }
    }

    [Fact]
    public void Normalize_IsIdempotent_SoNormalizedKeywordsSurviveARoundTrip()
    {
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var once = MoTextNormalizer.Normalize(RandomText(random));
            Assert.Equal(once, MoTextNormalizer.Normalize(once));
        }
    }

    [Fact]
    public void FastPath_AgreesWithThePipelineForEveryCharacterItHandles()
    {
        var handled = 0;
        for (var c = 0; c <= 0xFFFF; c++)
        {
            var ch = (char)c;
            var cjkOrHangul = c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0xAC00 and <= 0xD7A3);
            if (char.IsSurrogate(ch) || !(cjkOrHangul || MoTextNormalizer.TryGetTableEntry(ch, out _)))
            {
                continue;
            }

            handled++;
            var text = "aB" + ch + "x " + ch + ch + " Ü" + ch;
            Assert.True(Reference(text) == MoTextNormalizer.Normalize(text), $"U+{c:X4}");
        }

        for (var c = 0x1F1E6; c <= 0x1FAFF; c++)
        {
            var rune = new Rune(c);
            if (!MoTextNormalizer.IsFastEmoji(rune))
            {
                continue;
            }

            handled++;
            var text = "stop" + rune + "é" + rune;
            Assert.True(Reference(text) == MoTextNormalizer.Normalize(text), $"U+{c:X5}");
        }

        Assert.True(handled > 40_000, $"{handled} characters on the fast path");
    }

    /// <summary>The pipeline written the obvious way, one string per step.</summary>
    private static string Reference(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKC).Normalize(NormalizationForm.FormD);
        var withoutMarks = new StringBuilder();
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                withoutMarks.Append(rune.ToString());
            }
        }

        var upper = withoutMarks.ToString().Normalize(NormalizationForm.FormC).ToUpperInvariant();
        var mapped = new StringBuilder();
        foreach (var rune in upper.EnumerateRunes())
        {
            if (rune.Value is '\'' or '`' or 0x2019 or 0x2018 or 0x02BC)
            {
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var word = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.SpacingCombiningMark;
            mapped.Append(word ? rune.ToString() : " ");
        }

        return string.Join(' ', mapped.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Short texts mixing ASCII, Latin-1, combining marks, CJK, Hangul, emoji and other planes.</summary>
    private static string RandomText(Random random)
    {
        int[][] ranges =
        [
            [0x20, 0x7E], [0x20, 0x7E], [0x20, 0x7E], [0xA0, 0x17F], [0x300, 0x36F], [0x370, 0x3FF], [0x400, 0x4FF],
            [0x900, 0x97F], [0x2000, 0x206F], [0x2100, 0x24FF], [0x3000, 0x30FF], [0x4E00, 0x4FFF], [0xAC00, 0xAD00],
            [0xFB00, 0xFB4F], [0xFE00, 0xFE0F], [0xFF00, 0xFFEF], [0x1D400, 0x1D4FF], [0x1F300, 0x1F6FF], [0x20000, 0x200FF],
        ];
        var builder = new StringBuilder();
        var length = random.Next(0, 24);
        for (var i = 0; i < length; i++)
        {
            var range = ranges[random.Next(ranges.Length)];
            var codePoint = random.Next(range[0], range[1] + 1);
            if (Rune.IsValid(codePoint))
            {
                builder.Append(new Rune(codePoint).ToString());
            }
        }

        return builder.ToString();
    }
}
