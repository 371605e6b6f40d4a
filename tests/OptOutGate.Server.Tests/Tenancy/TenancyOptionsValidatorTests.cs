using Microsoft.Extensions.Configuration;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class TenancyOptionsValidatorTests
{
    private static readonly string s_key = ApiKeyHash.NewKey();

    private static TenancyOptions Bind(IDictionary<string, string?> settings)
    {
        var options = new TenancyOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Tenancy").Bind(options);
        return options;
    }

    private static Dictionary<string, string?> OneKey(string roles = "check", string? hash = null) => new()
    {
        ["Tenancy:Tenants:acme:Keys:dispatcher:Hash"] = hash ?? ApiKeyHash.ForConfiguration(s_key),
        ["Tenancy:Tenants:acme:Keys:dispatcher:Roles:0"] = roles,
    };

    private static IReadOnlyList<string> Failures(IDictionary<string, string?> settings, string listenAddress = "127.0.0.1") =>
        TenancyOptionsValidator.Validate(Bind(settings), new GateServerOptions { ListenAddress = listenAddress }, out _);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void NothingConfigured_OnLoopback_TurnsKeysOff(string address)
    {
        var failures = TenancyOptionsValidator.Validate(new TenancyOptions(), new GateServerOptions { ListenAddress = address }, out var registry);

        Assert.Empty(failures);
        Assert.Same(TenantRegistry.Local, registry);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("10.1.2.3")]
    public void NothingConfigured_BeyondLoopback_IsRefused_NamingTheSettingToAdd(string address)
    {
        var failures = TenancyOptionsValidator.Validate(new TenancyOptions(), new GateServerOptions { ListenAddress = address }, out var registry);

        var failure = Assert.Single(failures);
        Assert.Null(registry);
        Assert.Contains($"Gate:ListenAddress '{address}' listens beyond loopback, but no API keys are configured", failure, StringComparison.Ordinal);
        Assert.Contains("Tenancy:Tenants:<tenant-id>:Keys:<key-id>", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysConfigured_BeyondLoopback_TurnKeysOn()
    {
        var failures = TenancyOptionsValidator.Validate(Bind(OneKey()), new GateServerOptions { ListenAddress = "0.0.0.0" }, out var registry);

        Assert.Empty(failures);
        Assert.True(registry!.AuthenticationEnabled);
        var key = Assert.Single(registry.Keys);
        Assert.Equal("acme/dispatcher", key.ToString());
        Assert.Equal(ApiRoles.Check, key.Roles);
    }

    [Fact]
    public void KeysConfigured_OnLoopback_TurnKeysOnToo()
    {
        TenancyOptionsValidator.Validate(Bind(OneKey()), new GateServerOptions(), out var registry);

        Assert.True(registry!.AuthenticationEnabled);
    }

    [Fact]
    public void SeveralRoles_AndAReplicaGroup_AreBound()
    {
        var settings = OneKey("admin");
        settings["Tenancy:Tenants:acme:Keys:dispatcher:Roles:1"] = "Replica";
        settings["Tenancy:Tenants:acme:Keys:dispatcher:Tenants:0"] = "globex";
        settings["Tenancy:Tenants:globex:Keys:g:Hash"] = ApiKeyHash.ForConfiguration(ApiKeyHash.NewKey());
        settings["Tenancy:Tenants:globex:Keys:g:Roles:0"] = "read";

        var failures = TenancyOptionsValidator.Validate(Bind(settings), new GateServerOptions(), out var registry);

        Assert.Empty(failures);
        var key = registry!.Keys.Single(k => k.KeyId == "dispatcher");
        Assert.Equal(ApiRoles.Admin | ApiRoles.Replica, key.Roles);
        Assert.Equal(["acme", "globex"], key.TenantGroup);
    }

    [Fact]
    public void PlaintextKeyAsHash_IsRefused_WithoutRepeatingIt()
    {
        var failure = Assert.Single(Failures(OneKey(hash: s_key)));

        Assert.Contains("Tenancy:Tenants:acme:Keys:dispatcher:Hash is not 'sha256:' and 64 hex digits", failure, StringComparison.Ordinal);
        Assert.Contains("never the key itself", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(s_key, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:abcdef")]
    [InlineData("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08ff")]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    public void HashOfTheWrongShape_IsRefused(string hash)
    {
        var failure = Assert.Single(Failures(OneKey(hash: hash)));

        Assert.Contains(":Hash is not 'sha256:' and 64 hex digits", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingHash_IsRefused()
    {
        var settings = OneKey();
        settings.Remove("Tenancy:Tenants:acme:Keys:dispatcher:Hash");

        Assert.Contains("Tenancy:Tenants:acme:Keys:dispatcher:Hash is missing", Assert.Single(Failures(settings)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRole_IsRefused_ListingTheRoles()
    {
        var failure = Assert.Single(Failures(OneKey("superuser")));

        Assert.Contains("Tenancy:Tenants:acme:Keys:dispatcher:Roles: 'superuser' is not a role (use check, mo, admin, replica, read)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRoles_IsRefused()
    {
        var settings = OneKey();
        settings.Remove("Tenancy:Tenants:acme:Keys:dispatcher:Roles:0");

        Assert.Contains(":Roles is empty", Assert.Single(Failures(settings)), StringComparison.Ordinal);
    }

    [Fact]
    public void TenantGroupOnAKeyWithoutReplica_IsRefused()
    {
        var settings = OneKey("admin");
        settings["Tenancy:Tenants:acme:Keys:dispatcher:Tenants:0"] = "acme";

        Assert.Contains(":Tenants lists a tenant group, which only keys with the replica role have", Assert.Single(Failures(settings)), StringComparison.Ordinal);
    }

    [Fact]
    public void TenantGroupNamingAnUnconfiguredTenant_IsRefused()
    {
        var settings = OneKey("replica");
        settings["Tenancy:Tenants:acme:Keys:dispatcher:Tenants:0"] = "umbrella";

        Assert.Contains("Tenants names 'umbrella', which is not a tenant", Assert.Single(Failures(settings)), StringComparison.Ordinal);
    }

    [Fact]
    public void TwoKeysWithOneHash_AreRefused_NamingBoth()
    {
        var settings = OneKey();
        settings["Tenancy:Tenants:globex:Keys:other:Hash"] = ApiKeyHash.ForConfiguration(s_key).ToUpperInvariant().Replace("SHA256:", "sha256:", StringComparison.Ordinal);
        settings["Tenancy:Tenants:globex:Keys:other:Roles:0"] = "mo";

        var failure = Assert.Single(Failures(settings));

        Assert.Contains("Tenancy:Tenants:acme:Keys:dispatcher", failure, StringComparison.Ordinal);
        Assert.Contains("Tenancy:Tenants:globex:Keys:other", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tenancy:Tenants:Acme:Keys:k", "Tenancy:Tenants:Acme: a tenant id is 1-64 characters")]
    [InlineData("Tenancy:Tenants:acme:Keys:Key.1", "Tenancy:Tenants:acme:Keys:Key.1: a key id is 1-64 characters")]
    public void BadIds_AreRefused(string path, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            [path + ":Hash"] = ApiKeyHash.ForConfiguration(s_key),
            [path + ":Roles:0"] = "check",
        };

        Assert.Contains(expected, Assert.Single(Failures(settings)), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsListed_NotOnlyTheFirst()
    {
        var settings = OneKey("nope", hash: "sha256:00");
        settings["Tenancy:Tenants:Bad:Keys:k:Roles:0"] = "check";

        Assert.Equal(3, Failures(settings).Count);
    }
}
