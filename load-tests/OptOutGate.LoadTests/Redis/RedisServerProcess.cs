using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OptOutGate.LoadTests.Redis;

/// <summary>
/// A redis-server of our own for the race: a free loopback port, no persistence (<c>--save '' --appendonly no</c>, so
/// no fork or fsync disturbs the measurement), killed on dispose and on process exit.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
    }

    public int Port { get; }

    /// <exception cref="InvalidOperationException">redis-server is not installed or did not start.</exception>
    public static async Task<RedisServerProcess> StartAsync(string executable, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning" })
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
            throw new InvalidOperationException(
                $"Cannot run '{executable}' ({ex.Message}). The race needs redis-server (Redis 6.2 or later, for SMISMEMBER): "
                + "apt-get install -y redis-server (scripts/test.sh installs it), or pass --redis-server <path>.", ex);
        }

        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RedisServerProcess(process, port);
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                string text;
                lock (log)
                {
                    text = log.ToString();
                }

                throw new InvalidOperationException($"redis-server exited at start-up (code {process.ExitCode}): {text.Trim()}");
            }

            try
            {
                await using var probe = await RespConnection.ConnectAsync("127.0.0.1", port, cancellationToken);
                await probe.SendAsync(RespConnection.Encode("PING", null, []), cancellationToken);
                return server;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50, cancellationToken);
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
