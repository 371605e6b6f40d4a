using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Hosting;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// The real gate in this process: the very host the server's Program runs (<see cref="GateHost.Build"/>: configuration,
/// validated options, Kestrel, every service, interceptor and hosted service), on 127.0.0.1 with a port the OS picks,
/// its own temporary data folder, and a real HTTP/2 connection to it through Grpc.Net.Client and the contract's
/// generated clients. Tests where the process itself matters (signals, kills, torn files, exit codes, open-file
/// limits, process-wide metrics, other gRPC implementations) use <see cref="GateProcess"/> instead.
/// </summary>
public sealed class GateTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LogCapture _logs;
    private bool _ownsDataDirectory;
    private bool _stopped;
    private bool _disposed;

    private GateTestServer(WebApplication app, LogCapture logs, Uri address, Uri? httpAddress, string dataDirectory, bool ownsDataDirectory)
    {
        _app = app;
        _logs = logs;
        Address = address;
        HttpAddress = httpAddress;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        Channel = CreateChannel();
        Gate = new GateRpcClient(Channel);
        Mo = new MoRpcClient(Channel);
        Admin = new AdminRpcClient(Channel);
        Changes = new ChangesRpcClient(Channel);
        Health = new Health.HealthClient(Channel);
    }

    /// <summary>The gRPC listener, <c>http://127.0.0.1:port</c> (h2c) or <c>https://…</c> when a certificate is set.</summary>
    public Uri Address { get; }

    public int Port => Address.Port;

    /// <summary>The JSON/REST listener over HTTP/1.1 (Gate:HttpPort), <c>http://127.0.0.1:port/</c>; null when a test turned it off.</summary>
    public Uri? HttpAddress { get; }

    /// <summary>A plain HTTP client of the JSON/REST listener, with <paramref name="key"/> as its bearer API key (or none).</summary>
    public HttpClient CreateHttpClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = HttpAddress ?? throw new InvalidOperationException("Gate:HttpPort is off on this server."), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary><see cref="Address"/> as text, without the trailing slash.</summary>
    public string GrpcAddress => Address.GetLeftPart(UriPartial.Authority);

    public string DataDirectory { get; }

    /// <summary>One channel (one HTTP/2 connection, more past 100 concurrent calls) for the test's calls.</summary>
    public GrpcChannel Channel { get; }

    public GateRpcClient Gate { get; }

    public MoRpcClient Mo { get; }

    public AdminRpcClient Admin { get; }

    public ChangesRpcClient Changes { get; }

    public Health.HealthClient Health { get; }

    /// <summary>The host's services (the engine host, readiness), for tests that look inside.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Everything the gate logged, one line per message: "Level Category: message".</summary>
    public string Output => _logs.Text;

    /// <summary>
    /// Builds and starts the gate with <paramref name="settings"/> as command-line configuration (they win over the
    /// fixture's defaults), and waits until health says SERVING unless <paramref name="waitUntilServing"/> is false.
    /// </summary>
    /// <param name="dataDirectory">An existing data folder (restarts); by default a new temporary one, deleted at dispose.</param>
    public static async Task<GateTestServer> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, bool waitUntilServing = true)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("optoutgate-test-").FullName;
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gate:ListenAddress"] = "127.0.0.1",
            ["Gate:Port"] = "0",
            // Metrics are process-wide (meters by name, prometheus' registry): GateProcess tests them in a process of their own.
            ["Gate:MetricsPort"] = "-1",
            // The system picks every port (no race with another test's listener); GateListeners tells them apart.
            ["Gate:HttpPort"] = "0",
            ["Gate:DataDirectory"] = dataDirectory,
            ["Gate:ShutdownTimeout"] = "00:00:10",
            // The tests' webhook receivers listen on loopback, which a receiver may use only when listed.
            ["Webhooks:AllowedPrivateHosts:0"] = "127.0.0.1",
            // The log goes to Output, not to the test run's console.
            ["Logging:Console:LogLevel:Default"] = "None",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var app = GateHost.Build([.. all.Select(static s => $"--{s.Key}={s.Value}")]);
        var logs = new LogCapture();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        // What Kestrel bound (every port 0 picked by the system), as the gate's "Listening:" line names it.
        var listeners = app.Services.GetRequiredService<GateListeners>();
        var grpc = Loopback(new Uri(listeners.GrpcAddress));
        var http = listeners.HttpEndPoint is null ? null : Loopback(new Uri(listeners.HttpAddress));
        var server = new GateTestServer(app, logs, grpc, http, dataDirectory, owns);
        if (waitUntilServing)
        {
            try
            {
                await server.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, TimeSpan.FromSeconds(60));
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        return server;
    }

    /// <summary>A gate on every interface (0.0.0.0, ::) is reached, as from any client on this machine, through loopback.</summary>
    private static Uri Loopback(Uri bound) =>
        System.Net.IPAddress.TryParse(bound.Host.Trim('[', ']'), out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any))
            ? new UriBuilder(bound) { Host = "127.0.0.1" }.Uri
            : bound;

    /// <summary>A new channel to this gate (its own connection), e.g. for a second client.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options ?? new GrpcChannelOptions());

    /// <summary>Call options with <paramref name="key"/> as a bearer API key (or none) and a deadline.</summary>
    public static CallOptions Options(string? key = null, TimeSpan? timeout = null)
    {
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }

        return new CallOptions(headers, DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30)));
    }

    /// <summary>Waits, through health's Watch as a load balancer would, until the gate reports <paramref name="status"/>.</summary>
    public async Task WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus status, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        var last = HealthCheckResponse.Types.ServingStatus.Unknown;
        try
        {
            using var watch = Health.Watch(new HealthCheckRequest(), cancellationToken: limit.Token);
            while (await watch.ResponseStream.MoveNext(limit.Token))
            {
                last = watch.ResponseStream.Current.Status;
                if (last == status)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (limit.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }

        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Waited {timeout.TotalSeconds} s for health {status}; it last said {last}. Output:\n{Output}"));
    }

    /// <summary>Waits until the gate has logged a line containing <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _logs.WaitForAsync(text, timeout);

    /// <summary>
    /// Stops this gate gracefully and starts a new one on the same data folder (which the new one then owns), as an
    /// operator's restart does.
    /// </summary>
    public async Task<GateTestServer> RestartAsync(IDictionary<string, string>? settings = null, bool waitUntilServing = true)
    {
        var owned = _ownsDataDirectory;
        _ownsDataDirectory = false;
        await DisposeAsync();
        var next = await StartAsync(settings, DataDirectory, waitUntilServing);
        next._ownsDataDirectory = owned;
        return next;
    }

    /// <summary>A graceful stop, as SIGTERM gives the process: drain, stop the listeners, close the engine.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Channel.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held (the OS releases it a moment later) is only a temp folder left behind.
            }
        }
    }
}
