using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.JsonApi;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.Console;

/// <summary>
/// The JSON/REST tests' gate (TestKeys' tenants, and acme's second admin key "reviewer" for four-eyes approvals) and
/// one browser for the class. Tests use senders and numbers of their own.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private readonly JsonApiFixture _gate = new();
    private ConsoleBrowser? _browser;

    public TestKeys Keys => _gate.Keys;

    public string AcmeReviewer => _gate.AcmeReviewer;

    public GateTestServer Server => _gate.Server;

    public ConsoleBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        await _gate.InitializeAsync();
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        await _gate.DisposeAsync();
    }
}
