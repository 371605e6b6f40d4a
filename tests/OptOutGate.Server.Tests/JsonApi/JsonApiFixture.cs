using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>
/// One in-process gate with API keys for the JSON/REST tests of a class (TestKeys' tenants, and a second admin key of
/// acme, "reviewer", for four-eyes approvals). Tests use senders of their own, so they do not see each other's data.
/// </summary>
public sealed class JsonApiFixture : IAsyncLifetime
{
    private GateTestServer? _server;

    public TestKeys Keys { get; } = new();

    /// <summary>acme's second admin key: approves what the operator key requested.</summary>
    public string AcmeReviewer { get; } = ApiKeyHash.NewKey();

    public GateTestServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var settings = Keys.Settings();
        settings["Tenancy:Tenants:acme:Keys:reviewer:Hash"] = ApiKeyHash.ForConfiguration(AcmeReviewer);
        settings["Tenancy:Tenants:acme:Keys:reviewer:Roles:0"] = "admin";
        _server = await GateTestServer.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A plain HTTP client of the JSON/REST port with <paramref name="key"/> (or none).</summary>
    public JsonHttp Http(string? key) => new(Server.CreateHttpClient(key));
}
