using System.Security.Cryptography;
using System.Text;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class ApiKeyHashTests
{
    private const string Key = "oog_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    [Fact]
    public void ForConfiguration_IsSha256OfTheAsciiKey_AsSha256PrefixAndLowerHex()
    {
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(Key)));

        Assert.Equal(expected, ApiKeyHash.ForConfiguration(Key));
    }

    [Fact]
    public void ForConfiguration_MatchesSha256sumOfTheKeyWithoutNewline()
    {
        // printf %s 'oog_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' | sha256sum (the README one-liner)
        Assert.Equal(
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData("oog_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"u8)),
            ApiKeyHash.ForConfiguration(Key));
    }

    [Theory]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("SHA256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    [InlineData("  sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  ")]
    public void TryParse_AcceptsPrefixAnd64HexDigits(string text)
    {
        Assert.True(ApiKeyHash.TryParse(text, out var hash));
        Assert.Equal(32, hash.Length);
        Assert.Equal(0x9f, hash[0]);
        Assert.Equal(0x08, hash[31]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0")]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a088")]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g")]
    [InlineData("sha1:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")]
    [InlineData(Key)]
    public void TryParse_RefusesAnythingElse_IncludingAPlaintextKey(string? text)
    {
        Assert.False(ApiKeyHash.TryParse(text, out _));
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(256, true)]
    [InlineData(31, false)]
    [InlineData(257, false)]
    [InlineData(0, false)]
    public void IsWellFormedKey_BoundsTheLength(int length, bool expected)
    {
        Assert.Equal(expected, ApiKeyHash.IsWellFormedKey(new string('k', length)));
    }

    [Theory]
    [InlineData("oog_0123456789abcdefghijklmnopqrst uvwxyz")]
    [InlineData("oog_0123456789abcdefghijklmnopqrst\tuvwxyz")]
    [InlineData("oog_0123456789abcdefghijklmnopqrstéuvwxyz")]
    public void IsWellFormedKey_RefusesSpacesControlsAndNonAscii(string key)
    {
        Assert.False(ApiKeyHash.IsWellFormedKey(key));
        Assert.Throws<ArgumentException>(() => ApiKeyHash.ForConfiguration(key));
    }

    [Fact]
    public void NewKey_IsWellFormedRandomAndPrefixed()
    {
        var first = ApiKeyHash.NewKey();
        var second = ApiKeyHash.NewKey();

        Assert.StartsWith("oog_", first, StringComparison.Ordinal);
        Assert.Equal(4 + 43, first.Length);
        Assert.True(ApiKeyHash.IsWellFormedKey(first));
        Assert.NotEqual(first, second);
        Assert.True(ApiKeyHash.TryParse(ApiKeyHash.ForConfiguration(first), out _));
    }
}
