using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>A real redis-server on a free loopback port, without persistence; killable and restartable on the same port.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _output = new();
    private Process? _process;

    private RedisProcess(int port) => Port = port;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <remarks>
    /// redis-server needs its port named, so one is found free and handed over; another process (a gate or a
    /// connection of a test running beside this one) can take it in between, and then redis-server exits at once
    /// and is started again on another port.
    /// </remarks>
    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess(FreePort());
        for (var attempt = 1; !await redis.TryStartAsync(); attempt++)
        {
            if (attempt == 5)
            {
                throw new InvalidOperationException($"redis-server did not start on 5 free ports; it last printed:\n{redis._output}");
            }

            redis.Port = FreePort();
        }

        return redis;
    }

    /// <summary>Starts it again on the same port (after <see cref="KillAsync"/>), and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"redis-server did not start again on port {Port}; it printed:\n{_output}");
        }
    }

    /// <summary>
    /// Starts redis-server and waits until it says it accepts connections (rather than until the port answers, which
    /// another process on it would too); false when it exits first (its port taken).
    /// </summary>
    private async Task<bool> TryStartAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            _output.Clear();
        }

        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        if (_process is { HasExited: true } killed)
        {
            killed.Dispose();
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.Exited += (_, _) => exited.TrySetResult();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, exited.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        if (finished == ready.Task)
        {
            return true;
        }

        if (finished == exited.Task)
        {
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
            return false;
        }

        await KillAsync();
        throw new TimeoutException($"redis-server on port {Port} did not say it was ready within 30 s; it printed:\n{_output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: every subscriber loses its connection and every message in flight.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
