using System.Diagnostics;
using Grpc.Health.V1;
using OptOutGate.LoadTests.Running;
using Grpc.Core;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `wait-ready`: polls grpc.health.v1.Health/Check ("" = the whole server) until SERVING or -t passes (default 20 s,
/// raise it for a large index to recover). For scripts that start a gate and then load it.
/// </summary>
internal static class WaitReady
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var gate = GateClients.Primary(options);
        var started = Stopwatch.GetTimestamp();
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(started) < options.Timeout)
        {
            try
            {
                var response = await gate.For(0).Health.CheckAsync(new HealthCheckRequest(), gate.Call(DateTime.UtcNow.AddSeconds(2), cancellationToken));
                if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    Console.Error.WriteLine($"wait-ready: {options.Address} SERVING after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                    return 0;
                }

                last = response.Status.ToString();
            }
            catch (RpcException ex)
            {
                last = Reporting.GhzFormat.ErrorText(ex.Status);
            }

            await Task.Delay(100, cancellationToken);
        }

        Console.Error.WriteLine($"wait-ready: {options.Address} not SERVING within {options.Timeout.TotalSeconds:0} s (last: {last})");
        return 1;
    }
}
