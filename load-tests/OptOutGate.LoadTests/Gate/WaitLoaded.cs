using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `wait-loaded`: for restart measurements. Polls, every 10 ms and from before the gate listens, Health/Check until
/// SERVING and Gate.CheckBatch (the first, middle and last numbers of the --dataset of --sender) until all three answer
/// BLOCKED_OPTED_OUT, or -t passes. Prints on stdout, as Unix milliseconds, when each was first seen, so the caller
/// can subtract the time it started the gate: <c>serving_unix_ms=...</c> and <c>first_check_unix_ms=...</c>.
/// </summary>
internal static class WaitLoaded
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        if (options.Dataset == 0)
        {
            Console.Error.WriteLine("wait-loaded: --dataset must name the loaded dataset's size.");
            return 2;
        }

        var space = new RecipientSpace(options.Seed);
        using var gate = GateClients.Primary(options);
        var request = new CheckBatchRequest { Sender = options.Sender, App = options.App, SmsType = options.SmsType };
        request.Recipients.Add(space.Number(0));
        request.Recipients.Add(space.Number(options.Dataset / 2));
        request.Recipients.Add(space.Number(options.Dataset - 1));

        var started = Stopwatch.GetTimestamp();
        long? servingAt = null;
        long? checkedAt = null;
        var lastHealth = "no answer";
        var lastCheck = "no answer";
        while (Stopwatch.GetElapsedTime(started) < options.Timeout && (servingAt is null || checkedAt is null))
        {
            var deadline = DateTime.UtcNow.AddSeconds(2);
            if (servingAt is null)
            {
                try
                {
                    var health = await gate.For(0).Health.CheckAsync(new HealthCheckRequest(), gate.Call(deadline, cancellationToken));
                    lastHealth = health.Status.ToString();
                    if (health.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    {
                        servingAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    }
                }
                catch (RpcException ex)
                {
                    lastHealth = Reporting.GhzFormat.ErrorText(ex.Status);
                }
            }

            if (checkedAt is null)
            {
                try
                {
                    var response = await gate.For(0).Gate.CheckBatchAsync(request, gate.Call(deadline, cancellationToken));
                    var blocked = response.Counts?.BlockedOptedOut ?? 0;
                    lastCheck = string.Create(CultureInfo.InvariantCulture, $"{blocked} of 3 blocked");
                    if (blocked == 3)
                    {
                        checkedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    }
                }
                catch (RpcException ex)
                {
                    lastCheck = Reporting.GhzFormat.ErrorText(ex.Status);
                }
            }

            if (servingAt is null || checkedAt is null)
            {
                await Task.Delay(10, cancellationToken);
            }
        }

        if (servingAt is null || checkedAt is null)
        {
            Console.Error.WriteLine($"wait-loaded: {options.Address} not loaded within {options.Timeout.TotalSeconds:0} s (health: {lastHealth}; CheckBatch: {lastCheck})");
            return 1;
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"serving_unix_ms={servingAt}"));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_check_unix_ms={checkedAt}"));
        return 0;
    }
}
