namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>One in-process gate shared by a test class whose tests leave no state the others would see.</summary>
public sealed class GateServerFixture : IAsyncLifetime
{
    private GateTestServer? _server;

    public GateTestServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _server = await GateTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
