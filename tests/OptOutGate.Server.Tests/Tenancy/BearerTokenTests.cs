using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class BearerTokenTests
{
    private const string Key = "oog_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    [Theory]
    [InlineData("Bearer " + Key)]
    [InlineData("bearer " + Key)]
    [InlineData("BEARER " + Key)]
    [InlineData("Bearer   " + Key + "  ")]
    public void Read_BearerWithAWellFormedKey_ReturnsTheKey(string value)
    {
        Assert.Equal(BearerTokenStatus.Present, BearerToken.Read(value, 1, out var key));
        Assert.Equal(Key, key.ToString());
    }

    [Fact]
    public void Read_NoValue_IsMissing()
    {
        Assert.Equal(BearerTokenStatus.Missing, BearerToken.Read(null, 0, out _));
    }

    [Theory]
    [InlineData(Key)]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer:" + Key)]
    [InlineData("Bearerx " + Key)]
    [InlineData("")]
    public void Read_NotTheBearerScheme_IsNotBearer(string value)
    {
        Assert.Equal(BearerTokenStatus.NotBearer, BearerToken.Read(value, 1, out _));
    }

    [Fact]
    public void Read_TwoAuthorizationValues_AreRefusedRatherThanPicked()
    {
        Assert.Equal(BearerTokenStatus.NotBearer, BearerToken.Read("Bearer " + Key, 2, out _));
    }

    [Theory]
    [InlineData("Bearer short")]
    [InlineData("Bearer " + Key + " " + Key)]
    [InlineData("Bearer oog_0123456789abcdefghijklmnopqrstuvwxyzé")]
    public void Read_AKeyThatCannotBeAnApiKey_IsMalformed(string value)
    {
        Assert.Equal(BearerTokenStatus.MalformedKey, BearerToken.Read(value, 1, out _));
    }
}
