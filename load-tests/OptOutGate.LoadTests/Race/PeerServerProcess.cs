using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// A peer server of our own for the race (<see cref="RacePeerKind"/>): a free loopback port, started with the kind's
/// in-memory settings, ready once it answers PING, killed on dispose and on process exit.
/// </summary>
internal sealed class PeerServerProcess : IAsyncDisposable
{
    // Garnet is a .NET program: its start takes a second or two on a quiet machine, many more on a busy one.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private PeerServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
    }

    public int Port { get; }

    /// <summary>The server's process id (for profilers and reports).</summary>
    public int ProcessId => _process.Id;

    /// <exception cref="InvalidOperationException">The server is not installed, or did not start.</exception>
    /// <remarks>
    /// The port is found free and handed to the server, so another process can take it in between; the server then
    /// exits at once saying so, and is started again on another port (at most <see cref="StartAttempts"/> times).
    /// </remarks>
    public static Task<PeerServerProcess> StartAsync(RacePeerKind kind, string executable, long dataset, CancellationToken cancellationToken) =>
        StartAsync(kind, executable, dataset, FreePort, cancellationToken);

    /// <param name="ports">Where each attempt's port comes from (a test hands out a taken one first).</param>
    internal static async Task<PeerServerProcess> StartAsync(RacePeerKind kind, string executable, long dataset, Func<int> ports, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnPortAsync(kind, executable, dataset, ports(), cancellationToken);
            }
            catch (PortTakenException) when (attempt < StartAttempts)
            {
            }
            catch (PortTakenException taken)
            {
                throw new InvalidOperationException(taken.Message, taken);
            }
        }
    }

    private const int StartAttempts = 5;

    private sealed class PortTakenException(string message) : Exception(message);

    private static async Task<PeerServerProcess> StartOnPortAsync(RacePeerKind kind, string executable, long dataset, int port, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in kind.Arguments(port, dataset))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot run '{executable}' ({ex.Message}). The race against {kind.Name} needs {kind.Program}: {kind.InstallHint}.", ex);
        }

        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PeerServerProcess(process, port);
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                // Waiting for the exit also waits until its last output lines have been read; the exit code and the
                // output are taken before the process object is disposed.
                await process.WaitForExitAsync(cancellationToken);
                var exitCode = process.ExitCode;
                await server.DisposeAsync();
                string text;
                lock (log)
                {
                    text = log.ToString();
                }

                var message = $"{kind.Program} exited at start-up (code {exitCode}): {text.Trim()}";
                // redis-server: "bind: Address already in use"; garnet-server: "Could not bind ... (AddressAlreadyInUse)".
                throw text.Contains("already in use", StringComparison.OrdinalIgnoreCase) || text.Contains("AddressAlreadyInUse", StringComparison.Ordinal)
                    ? new PortTakenException(message)
                    : new InvalidOperationException(message);
            }

            try
            {
                // PING answered, within a second: whatever else holds the port (another process took it before the
                // server could bind it) may accept the connection but does not answer, and the server has exited.
                using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                probeTimeout.CancelAfter(TimeSpan.FromSeconds(1));
                await using var probe = RespConnection.Connect("127.0.0.1", port);
                await probe.SendAsync(RespConnection.Encode("PING", null, []), probeTimeout.Token).WaitAsync(probeTimeout.Token);
                return server;
            }
            catch (Exception ex) when ((ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)) && Stopwatch.GetTimestamp() < deadline)
            {
                // Not listening yet (or closed the probe while starting): try again shortly.
                await Task.Delay(50, cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"{kind.Program} did not answer PING on 127.0.0.1:{port} within {StartTimeout.TotalSeconds:0} s.", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
