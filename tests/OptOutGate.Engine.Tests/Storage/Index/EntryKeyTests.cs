using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

public sealed class EntryKeyTests
{
    // Expected values computed independently (a Python transcription of the mixer), so a change to the hash, which
    // would make every saved index checkpoint unreadable, fails here.
    [Theory]
    [InlineData(EntryKind.OptOut, 14155550100UL, 7u, 3u, -8713191966625923744L)]
    [InlineData(EntryKind.Bypass, 447700900123UL, 0u, 1u, 7585608379417905952L)]
    public void Hash64_IsAFixedFunctionOfTheKey(EntryKind kind, ulong recipient, uint scope, uint tenant, long expected)
    {
        var key = EntryKey.Create(kind, recipient, scope, tenant);

        Assert.Equal(expected, key.Hash64());
        Assert.Equal(expected, EntryKeyComparer.Instance.GetHashCode64(ref key));
    }

    [Fact]
    public void Create_KeepsRecipientAndKindApart()
    {
        var key = EntryKey.Create(EntryKind.Suppression, 999_999_999_999_999UL, 1, 2);

        Assert.Equal(999_999_999_999_999UL, key.Recipient);
        Assert.Equal(EntryKind.Suppression, key.Kind);
    }

    [Fact]
    public void Comparer_DistinguishesEveryField()
    {
        var key = EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 3);
        var same = EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 3);
        var others = new[]
        {
            EntryKey.Create(EntryKind.Suppression, 14155550100UL, 7, 3),
            EntryKey.Create(EntryKind.OptOut, 14155550101UL, 7, 3),
            EntryKey.Create(EntryKind.OptOut, 14155550100UL, 8, 3),
            EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 4),
        };

        Assert.True(EntryKeyComparer.Instance.Equals(ref key, ref same));
        foreach (var other in others)
        {
            var o = other;
            Assert.False(EntryKeyComparer.Instance.Equals(ref key, ref o));
            Assert.NotEqual(key.Hash64(), other.Hash64());
        }
    }

    [Fact]
    public void RecipientFingerprint_IsAFixedFunctionOfTheRecipient()
    {
        Assert.Equal(538611796u, RecipientFilter.Fingerprint(14155550100UL));
        Assert.Equal(1494144813u, RecipientFilter.Fingerprint(447700900123UL));
    }
}
