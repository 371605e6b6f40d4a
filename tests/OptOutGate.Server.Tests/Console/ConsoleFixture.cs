using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.Console;

/// <summary>
/// The real gate in process with API keys (TestKeys' tenants, and acme's second admin key "reviewer" for four-eyes
/// approvals), and one browser for the class. Tests use senders and numbers of their own.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private GateTestServer? _server;
    private ConsoleBrowser? _browser;

    public TestKeys Keys { get; } = new();

    public string AcmeReviewer { get; } = ApiKeyHash.NewKey();

    public GateTestServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public ConsoleBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var settings = Keys.Settings();
        settings["Tenancy:Tenants:acme:Keys:reviewer:Hash"] = ApiKeyHash.ForConfiguration(AcmeReviewer);
        settings["Tenancy:Tenants:acme:Keys:reviewer:Roles:0"] = "admin";
        _server = await GateTestServer.StartAsync(settings);
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
