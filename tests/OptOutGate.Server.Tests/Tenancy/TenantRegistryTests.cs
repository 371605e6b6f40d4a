using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class TenantRegistryTests
{
    private static readonly string[] s_tenants = ["globex", "acme", "initech"];

    private static TenantKey Key(string tenant, string id, ApiRoles roles, params string[] group)
    {
        Assert.True(ApiKeyHash.TryParse(ApiKeyHash.ForConfiguration(ApiKeyHash.NewKey()), out var hash));
        return new TenantKey(tenant, id, roles, hash, group);
    }

    private static TenantKey Resolved(TenantRegistry registry, string tenant, string id) =>
        registry.Keys.Single(k => k.TenantId == tenant && k.KeyId == id);

    [Fact]
    public void Local_IsOneDefaultTenant_WithKeysOff()
    {
        Assert.False(TenantRegistry.Local.AuthenticationEnabled);
        Assert.Equal(["default"], TenantRegistry.Local.Tenants);
        Assert.Empty(TenantRegistry.Local.Keys);
        Assert.Equal("default", TenantRegistry.LocalKey.TenantId);
        Assert.Equal("local", TenantRegistry.LocalKey.KeyId);
        Assert.Equal(ApiRoles.All, TenantRegistry.LocalKey.Roles);
        Assert.Equal(["default"], TenantRegistry.LocalKey.TenantGroup);
    }

    [Fact]
    public void Create_TurnsKeysOn_WithSortedTenants()
    {
        var registry = TenantRegistry.Create(s_tenants, [Key("acme", "k", ApiRoles.Check)]);

        Assert.True(registry.AuthenticationEnabled);
        Assert.Equal(["acme", "globex", "initech"], registry.Tenants);
    }

    [Fact]
    public void TenantGroup_ReplicaWithoutList_IsEveryTenant()
    {
        var registry = TenantRegistry.Create(s_tenants, [Key("acme", "r", ApiRoles.Replica)]);

        Assert.Equal(["acme", "globex", "initech"], Resolved(registry, "acme", "r").TenantGroup);
    }

    [Fact]
    public void TenantGroup_ReplicaWithList_IsExactlyTheList_EvenWithoutItsOwnTenant()
    {
        var registry = TenantRegistry.Create(s_tenants, [Key("acme", "r", ApiRoles.Replica, "initech", "globex")]);

        Assert.Equal(["globex", "initech"], Resolved(registry, "acme", "r").TenantGroup);
    }

    [Fact]
    public void TenantGroup_AdminReadsOnlyItsOwnTenant_AndOtherKeysNone()
    {
        var registry = TenantRegistry.Create(s_tenants,
        [
            Key("globex", "a", ApiRoles.Admin),
            Key("globex", "c", ApiRoles.Check | ApiRoles.Mo | ApiRoles.Read),
            Key("globex", "ar", ApiRoles.Admin | ApiRoles.Replica, "initech"),
        ]);

        Assert.Equal(["globex"], Resolved(registry, "globex", "a").TenantGroup);
        Assert.Empty(Resolved(registry, "globex", "c").TenantGroup);
        Assert.Equal(["globex", "initech"], Resolved(registry, "globex", "ar").TenantGroup);
    }

    [Fact]
    public void Create_RefusesAGroupOnAKeyWithoutTheReplicaRole()
    {
        var error = Assert.Throws<ArgumentException>(() => TenantRegistry.Create(s_tenants, [Key("acme", "a", ApiRoles.Admin, "globex")]));

        Assert.Contains("acme/a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RefusesAGroupNamingAnUnknownTenant()
    {
        var error = Assert.Throws<ArgumentException>(() => TenantRegistry.Create(s_tenants, [Key("acme", "r", ApiRoles.Replica, "umbrella")]));

        Assert.Contains("umbrella", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RefusesTwoKeysWithOneHash()
    {
        var key = Key("acme", "a", ApiRoles.Check);

        Assert.Throws<ArgumentException>(() => TenantRegistry.Create(s_tenants, [key, key with { TenantId = "globex" }]));
    }

    [Theory]
    [InlineData("Acme", "k")]
    [InlineData("acme", "Key 1")]
    [InlineData("umbrella", "k")]
    public void Create_RefusesBadIdsAndKeysOfUnknownTenants(string tenant, string keyId)
    {
        Assert.Throws<ArgumentException>(() => TenantRegistry.Create(["acme", tenant == "Acme" ? "Acme" : "acme2"], [Key(tenant, keyId, ApiRoles.Check)]));
    }

    [Fact]
    public void Create_RefusesARepeatedKeyIdInOneTenant_ButAllowsItInAnother()
    {
        Assert.Throws<ArgumentException>(() => TenantRegistry.Create(s_tenants, [Key("acme", "k", ApiRoles.Check), Key("acme", "k", ApiRoles.Mo)]));

        var registry = TenantRegistry.Create(s_tenants, [Key("acme", "k", ApiRoles.Check), Key("globex", "k", ApiRoles.Mo)]);
        Assert.Equal(2, registry.Keys.Count);
    }

    [Fact]
    public void Create_RefusesNoTenants()
    {
        Assert.Throws<ArgumentException>(() => TenantRegistry.Create([], []));
    }
}
