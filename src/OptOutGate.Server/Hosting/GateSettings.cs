using OptOutGate.Engine;
using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Mo;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Webhooks;

namespace OptOutGate.Server.Hosting;

/// <summary>
/// Every options class of the gate, bound from configuration and validated together before anything starts: a start
/// with bad settings ends with one list of every bad setting (<see cref="ConfigurationProblemsException"/>), never with
/// the first failure somewhere in the host's start-up.
/// </summary>
internal sealed class GateSettings
{
    public const string EngineSection = "Engine";
    public const string MoSection = "Mo";

    private GateSettings(GateServerOptions gate, GateEngineOptions engine, MoOptions mo, ReplicationOptions replication, RpcOptions rpc, TenantRegistry tenants, WebhookOptions webhooks)
    {
        Webhooks = webhooks;
        Gate = gate;
        Engine = engine;
        Mo = mo;
        Replication = replication;
        Rpc = rpc;
        Tenants = tenants;
    }

    public GateServerOptions Gate { get; }

    public GateEngineOptions Engine { get; }

    public MoOptions Mo { get; }

    public ReplicationOptions Replication { get; }

    public RpcOptions Rpc { get; }

    public WebhookOptions Webhooks { get; }

    /// <summary>The API keys of the Tenancy section, checked (<see cref="TenancyOptionsValidator"/>).</summary>
    public TenantRegistry Tenants { get; }

    /// <summary>Binds and checks every section.</summary>
    /// <exception cref="ConfigurationProblemsException">Any setting is bad; it lists them all.</exception>
    public static GateSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();

        // Each section the same way: bound strictly (a value that does not convert or a key that names no setting is a
        // problem), then checked by its own rules; every problem of every section is collected before anything starts.
        var gate = Section<GateServerOptions>(configuration, GateServerOptions.SectionName, static o => o.Problems(), problems);
        var engine = Section<GateEngineOptions>(configuration, EngineSection, static o => o.Problems(EngineSection), problems);
        var mo = Section<MoOptions>(configuration, MoSection, static o => o.Problems(MoSection), problems);
        var replication = Section<ReplicationOptions>(configuration, ReplicationOptions.SectionName, static o => o.Problems(), problems);
        var rpc = Section<RpcOptions>(configuration, RpcOptions.SectionName, static o => o.Problems(), problems);
        var webhooks = Section<WebhookOptions>(configuration, WebhookOptions.SectionName, static o => o.Problems(), problems);

        // API keys are checked against the listen address: keys off is allowed on loopback only.
        TenantRegistry? registry = null;
        Section<TenancyOptions>(configuration, TenancyOptions.SectionName, o => TenancyOptionsValidator.Validate(o, gate, out registry), problems);
        if (problems.Count > 0)
        {
            throw new ConfigurationProblemsException(problems);
        }

        return new GateSettings(gate, engine, mo, replication, rpc, registry!, webhooks);
    }

    private static T Section<T>(IConfiguration configuration, string section, Func<T, IEnumerable<string>> check, List<string> problems)
        where T : new()
    {
        var options = new T();
        StrictBinder.Bind(configuration.GetSection(section), options, problems);
        problems.AddRange(check(options));

        return options;
    }
}
