
namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>
/// One interop server for the test class, and one run of each client over every case (started together, in the
/// background, as soon as the server is up): the per-case tests then only read the cached output, so each case
/// is its own visible test at the cost of two process launches and one python stub generation.
/// </summary>
public sealed class InteropFixture : IAsyncLifetime
{
    /// <summary><c>all</c> (the first 19 cases, in the clients' order) and the opt-in half_duplex.</summary>
    public static readonly string[] Cases =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
        "status_code_and_message", "special_status_message", "non_ascii_message", "timeout_on_sleeping_server",
        "cancel_after_begin", "cancel_after_first_response", "custom_metadata", "large_message",
        "unimplemented_method", "unimplemented_service", "health_check", "reflection_list", "response_interval",
        "half_duplex",
    ];

    private const string CaseList = "all,half_duplex";

    private readonly Dictionary<InteropClient, Task<InteropClientRun>> _runs = [];
    private InteropServer? _server;
    private DirectoryInfo? _pythonGen;

    internal InteropServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        _server = await InteropServer.StartAsync();
        _pythonGen = Directory.CreateTempSubdirectory("optoutgate-interop-py-");
        foreach (var client in Enum.GetValues<InteropClient>())
        {
            _runs[client] = Task.Run(() => InteropClientRunner.RunAsync(client, _server.Port, CaseList, _pythonGen.FullName));
        }
    }

    internal Task<InteropClientRun> RunOf(InteropClient client) => _runs[client];

    public async Task DisposeAsync()
    {
        // A run still going (a test failed early) must end before the server goes away under it.
        foreach (var run in _runs.Values)
        {
            await run.ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _pythonGen?.Delete(recursive: true);
    }
}
