using OptOutGate.Engine;
using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Mo;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;

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
    public const string RpcSection = "Rpc";

    private GateSettings(GateServerOptions gate, GateEngineOptions engine, MoOptions mo, ReplicationOptions replication, RpcServerOptions rpc, TenantRegistry tenants)
    {
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

    public RpcServerOptions Rpc { get; }

    /// <summary>The API keys of the Tenancy section, checked (<see cref="TenancyOptionsValidator"/>).</summary>
    public TenantRegistry Tenants { get; }

    /// <summary>Binds and checks every section.</summary>
    /// <exception cref="ConfigurationProblemsException">Any setting is bad; it lists them all.</exception>
    public static GateSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var gate = Bind<GateServerOptions>(configuration, GateServerOptions.SectionName, problems);
        var engine = Bind<GateEngineOptions>(configuration, EngineSection, problems);
        var mo = Bind<MoOptions>(configuration, MoSection, problems);
        var replication = Bind<ReplicationOptions>(configuration, ReplicationOptions.SectionName, problems);
        var rpc = Bind<RpcServerOptions>(configuration, RpcSection, problems);
        var tenancy = Bind<TenancyOptions>(configuration, TenancyOptions.SectionName, problems);

        var gateResult = new GateServerOptionsValidator().Validate(null, gate);
        if (gateResult.Failed)
        {
            problems.AddRange(gateResult.Failures);
        }

        problems.AddRange(new EngineOptionsValidator<GateEngineOptions>(EngineSection).Validate(null, engine).Failures ?? []);
        problems.AddRange(new EngineOptionsValidator<MoOptions>(MoSection).Validate(null, mo).Failures ?? []);
        problems.AddRange(replication.Validate());
        if (rpc.MaxReceiveMessageSize is <= 0)
        {
            problems.Add($"{RpcSection}:MaxReceiveMessageSize must be positive, or empty for no limit (was {rpc.MaxReceiveMessageSize}).");
        }

        if (rpc.MaxSendMessageSize is <= 0)
        {
            problems.Add($"{RpcSection}:MaxSendMessageSize must be positive, or empty for no limit (was {rpc.MaxSendMessageSize}).");
        }

        problems.AddRange(TenancyOptionsValidator.Validate(tenancy, gate, out var registry));
        if (problems.Count > 0)
        {
            throw new ConfigurationProblemsException(problems);
        }

        return new GateSettings(gate, engine, mo, replication, rpc, registry!);
    }

    private static T Bind<T>(IConfiguration configuration, string section, List<string> problems)
        where T : new()
    {
        var options = new T();
        StrictBinder.Bind(configuration.GetSection(section), options, problems);
        return options;
    }
}
