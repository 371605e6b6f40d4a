using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>Keys made fresh for each test run, and the "Tenancy" settings that configure their hashes (never the keys).</summary>
public sealed class TestKeys
{
    public string AcmeDispatcher { get; } = ApiKeyHash.NewKey();

    public string AcmeCarrier { get; } = ApiKeyHash.NewKey();

    public string AcmeOperator { get; } = ApiKeyHash.NewKey();

    public string AcmeAuditor { get; } = ApiKeyHash.NewKey();

    public string GlobexDispatcher { get; } = ApiKeyHash.NewKey();

    public string GlobexReplica { get; } = ApiKeyHash.NewKey();

    public string InitechOperator { get; } = ApiKeyHash.NewKey();

    /// <summary>acme: dispatcher (check), carrier (mo), operator (admin), auditor (read); globex: dispatcher (check),
    /// replica (replica of acme and globex); initech: operator (admin).</summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["Tenancy:Tenants:acme:Keys:dispatcher:Hash"] = ApiKeyHash.ForConfiguration(AcmeDispatcher),
        ["Tenancy:Tenants:acme:Keys:dispatcher:Roles:0"] = "check",
        ["Tenancy:Tenants:acme:Keys:carrier:Hash"] = ApiKeyHash.ForConfiguration(AcmeCarrier),
        ["Tenancy:Tenants:acme:Keys:carrier:Roles:0"] = "mo",
        ["Tenancy:Tenants:acme:Keys:operator:Hash"] = ApiKeyHash.ForConfiguration(AcmeOperator),
        ["Tenancy:Tenants:acme:Keys:operator:Roles:0"] = "admin",
        ["Tenancy:Tenants:acme:Keys:auditor:Hash"] = ApiKeyHash.ForConfiguration(AcmeAuditor),
        ["Tenancy:Tenants:acme:Keys:auditor:Roles:0"] = "read",
        ["Tenancy:Tenants:globex:Keys:dispatcher:Hash"] = ApiKeyHash.ForConfiguration(GlobexDispatcher),
        ["Tenancy:Tenants:globex:Keys:dispatcher:Roles:0"] = "check",
        ["Tenancy:Tenants:globex:Keys:replica:Hash"] = ApiKeyHash.ForConfiguration(GlobexReplica),
        ["Tenancy:Tenants:globex:Keys:replica:Roles:0"] = "replica",
        ["Tenancy:Tenants:globex:Keys:replica:Tenants:0"] = "acme",
        ["Tenancy:Tenants:globex:Keys:replica:Tenants:1"] = "globex",
        ["Tenancy:Tenants:initech:Keys:operator:Hash"] = ApiKeyHash.ForConfiguration(InitechOperator),
        ["Tenancy:Tenants:initech:Keys:operator:Roles:0"] = "admin",
    };

    public Dictionary<string, string?> NullableSettings() => Settings().ToDictionary(p => p.Key, p => (string?)p.Value);
}
