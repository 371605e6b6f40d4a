using Microsoft.Extensions.Configuration;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>Tenancy:Organizations, checked at start-up: each failure names the setting; the registry resolves every key's list.</summary>
public sealed class OrganizationOptionsTests
{
    private static TenancyOptions Bind(IDictionary<string, string?> settings)
    {
        var options = new TenancyOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Tenancy").Bind(options);
        return options;
    }

    private static Dictionary<string, string?> Tenants(params string[] tenants)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var tenant in tenants)
        {
            settings[$"Tenancy:Tenants:{tenant}:Keys:ops:Hash"] = ApiKeyHash.ForConfiguration(ApiKeyHash.NewKey());
            settings[$"Tenancy:Tenants:{tenant}:Keys:ops:Roles:0"] = "admin";
            settings[$"Tenancy:Tenants:{tenant}:Keys:sync:Hash"] = ApiKeyHash.ForConfiguration(ApiKeyHash.NewKey());
            settings[$"Tenancy:Tenants:{tenant}:Keys:sync:Roles:0"] = "replica";
        }

        return settings;
    }

    private static IReadOnlyList<string> Validate(Dictionary<string, string?> settings, out TenantRegistry? registry) =>
        TenancyOptionsValidator.Validate(Bind(settings), new GateServerOptions(), out registry);

    [Fact]
    public void CmExample_ResolvesEachKeysList_AndActor()
    {
        var settings = Tenants("a", "b", "c", "d");
        settings["Tenancy:Organizations:cm:Accounts:a:List"] = "Shared";
        settings["Tenancy:Organizations:cm:Accounts:b:List"] = "Own";
        settings["Tenancy:Organizations:cm:Accounts:c"] = "";

        Assert.Empty(Validate(settings, out var registry));
        var ops = registry!.Keys.Where(k => k.KeyId == "ops").ToDictionary(k => k.TenantId);
        Assert.Equal(["cm", "b", "cm", "d"], new[] { "a", "b", "c", "d" }.Select(t => ops[t].ListId));
        Assert.Equal("a/ops", new CallIdentity(ops["a"], isLocal: false).KeyId);
        Assert.Equal("ops", new CallIdentity(ops["b"], isLocal: false).KeyId);
        Assert.Equal("cm", new CallIdentity(ops["c"], isLocal: false).TenantId);
        Assert.Equal("c", new CallIdentity(ops["c"], isLocal: false).AccountId);

        // A replica key's group is the lists its tenants use: every tenant → cm, b, d.
        Assert.Equal(["b", "cm", "d"], registry.Keys.First(k => k.KeyId == "sync").TenantGroup);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "cm", ["c"] = "cm" }, registry.SharedLists);
    }

    [Fact]
    public void ReadmesJson_AnEmptyObjectIsAnAccountOnTheSharedList()
    {
        var json = """{ "Tenancy": { "Organizations": { "cm": { "Accounts": { "a": {}, "b": { "List": "Own" }, "c": {} } } } } }""";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Tenants("a", "b", "c"))
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)))
            .Build();
        var options = new TenancyOptions();
        configuration.GetSection("Tenancy").Bind(options);

        Assert.Empty(TenancyOptionsValidator.Validate(options, new GateServerOptions(), out var registry));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "cm", ["c"] = "cm" }, registry!.SharedLists);
    }

    [Fact]
    public void NoOrganizations_EveryTenantIsItsOwnList_AsBefore()
    {
        Assert.Empty(Validate(Tenants("acme", "globex"), out var registry));
        Assert.All(registry!.Keys, k => Assert.Equal(k.TenantId, k.ListId));
        Assert.All(registry.Keys, k => Assert.Equal(k.KeyId, new CallIdentity(k, isLocal: false).KeyId));
    }

    [Fact]
    public void EachMistake_IsNamedWithItsSetting()
    {
        var settings = Tenants("a", "b", "c");
        settings["Tenancy:Organizations:cm:Accounts:a:List"] = "Shared";
        settings["Tenancy:Organizations:cm:Accounts:x:List"] = "Shared";
        settings["Tenancy:Organizations:other:Accounts:a:List"] = "Own";
        settings["Tenancy:Organizations:b:Accounts:c:List"] = "Shared";
        settings["Tenancy:Organizations:Bad Id:Accounts:c:List"] = "Shared";

        var failures = Validate(settings, out var registry);
        Assert.Null(registry);
        Assert.Contains(failures, f => f.StartsWith("Tenancy:Organizations:cm:Accounts:x: 'x' is not a tenant", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Tenancy:Organizations:other:Accounts:a: 'a' is already an account of organization 'cm'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Tenancy:Organizations:b: 'b' is also a tenant", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Tenancy:Organizations:Bad Id: an organization id is", StringComparison.Ordinal));
    }

    [Fact]
    public void AnOrganizationNamedAfterOneOfItsSharedAccounts_ContinuesThatTenantsList()
    {
        var settings = Tenants("acme", "acme-eu");
        settings["Tenancy:Organizations:acme:Accounts:acme:List"] = "Shared";
        settings["Tenancy:Organizations:acme:Accounts:acme-eu:List"] = "Shared";
        Assert.Empty(Validate(settings, out var registry));
        Assert.All(registry!.Keys, k => Assert.Equal("acme", k.ListId));

        settings["Tenancy:Organizations:acme:Accounts:acme:List"] = "Own";
        Assert.Contains(Validate(settings, out _), f => f.StartsWith("Tenancy:Organizations:acme: 'acme' is also a tenant", StringComparison.Ordinal));
    }

    [Fact]
    public void ListConflicts_NameAnAccountMovedOntoASharedListWithDataOfItsOwn()
    {
        var settings = Tenants("acme", "globex");
        settings["Tenancy:Organizations:group:Accounts:acme:List"] = "Shared";
        settings["Tenancy:Organizations:group:Accounts:globex:List"] = "Shared";
        Assert.Empty(Validate(settings, out var registry));

        var conflict = Assert.Single(registry!.ListConflicts(tenant => tenant == "acme"));
        Assert.StartsWith("Tenancy:Organizations:group:Accounts:acme puts tenant 'acme' on organization 'group''s shared list", conflict, StringComparison.Ordinal);
        Assert.Empty(registry.ListConflicts(_ => false));
    }
}
