using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class ApiKeyStoreTests
{
    private static readonly string[] s_keys = [.. Enumerable.Range(0, 50).Select(_ => ApiKeyHash.NewKey())];

    private static byte[] HashOf(string key)
    {
        Assert.True(ApiKeyHash.TryParse(ApiKeyHash.ForConfiguration(key), out var hash));
        return hash;
    }

    [Fact]
    public void TryFind_ReturnsTheIdentityOfEachConfiguredKey()
    {
        var store = new ApiKeyStore<string>(s_keys.Select((key, i) => (HashOf(key), "id-" + i)));

        Assert.Equal(s_keys.Length, store.Count);
        for (var i = 0; i < s_keys.Length; i++)
        {
            Assert.True(store.TryFind(s_keys[i], out var identity));
            Assert.Equal("id-" + i, identity);
        }
    }

    [Fact]
    public void TryFind_UnknownOrMalformedKey_FindsNothing()
    {
        var store = new ApiKeyStore<string>([(HashOf(s_keys[0]), "a")]);

        Assert.False(store.TryFind(s_keys[1], out var unknown));
        Assert.Null(unknown);
        Assert.False(store.TryFind(s_keys[0].AsSpan(0, s_keys[0].Length - 1), out _));
        Assert.False(store.TryFind(s_keys[0] + "x", out _));
        Assert.False(store.TryFind("short", out _));
        Assert.False(store.TryFind(string.Empty, out _));
    }

    [Fact]
    public void TryFind_KeysSharingTheBucketPrefix_AreToldApartByTheWholeHash()
    {
        var real = HashOf(s_keys[0]);
        var decoy = real.ToArray();
        decoy[31] ^= 0xFF;
        var store = new ApiKeyStore<string>([(decoy, "decoy"), (real, "real"), (decoy.Select((b, i) => i == 20 ? (byte)~b : b).ToArray(), "decoy2")]);

        Assert.True(store.TryFind(s_keys[0], out var identity));
        Assert.Equal("real", identity);
    }

    [Fact]
    public void Constructor_RefusesTwoKeysWithOneHash_NamingBoth()
    {
        var hash = HashOf(s_keys[0]);

        var error = Assert.Throws<ArgumentException>(() => new ApiKeyStore<string>([(hash, "acme/a"), (hash.ToArray(), "acme/b")]));

        Assert.Contains("acme/a", error.Message, StringComparison.Ordinal);
        Assert.Contains("acme/b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RefusesAHashOfTheWrongLength()
    {
        Assert.Throws<ArgumentException>(() => new ApiKeyStore<string>([(new byte[20], "sha1")]));
    }

    [Fact]
    public void Constructor_CopiesTheHash_SoLaterChangesToTheArrayDoNotMatter()
    {
        var hash = HashOf(s_keys[0]);
        var store = new ApiKeyStore<string>([(hash, "a")]);

        Array.Clear(hash);

        Assert.True(store.TryFind(s_keys[0], out _));
    }
}
