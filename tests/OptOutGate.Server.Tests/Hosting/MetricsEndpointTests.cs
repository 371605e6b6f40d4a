using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Replication;
using OptOutGate.Server.Tests.Webhooks;

namespace OptOutGate.Server.Tests.Hosting;

[Collection(GateProcessesCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterCalls_CountThemByMethodAndCode_AndPassPromtool()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var health = new Health.HealthClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await health.CheckAsync(new HealthCheckRequest());
        }

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(gate.MetricsAddress));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("grpc_server_calls_finished_total{", body, StringComparison.Ordinal);
        Assert.Contains("method=\"Check\"", body, StringComparison.Ordinal);
        Assert.Contains("code=\"OK\"", body, StringComparison.Ordinal);
        Assert.Contains("grpc_server_call_duration_seconds_bucket{", body, StringComparison.Ordinal);
        await AssertPromtoolAcceptsAsync(body);
    }

    /// <summary>
    /// Every metric the README names is at /metrics of a primary that publishes to Redis or of its replica, once one
    /// write has been replicated; the counters of rare events (damaged log records, carrier clocks ahead, records not
    /// published, gaps filled) are there from the first scrape, at 0, not only after their first event, so that alerts
    /// on them have a series to watch. promtool accepts both expositions.
    /// </summary>
    [Fact]
    public async Task Metrics_OfAPrimaryAndItsReplica_NameEveryMetricTheReadmeLists_AndPassPromtool()
    {
        var listed = ReadmeMetricNames();
        Assert.Contains("optoutgate_log_damaged_records_total", listed);
        Assert.Contains("optoutgate_replica_gaps_total", listed);

        await using var redis = await RedisProcess.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis);
        var first = await ScrapeAsync(primary);
        Assert.Contains("\noptoutgate_log_damaged_records_total 0\n", first, StringComparison.Ordinal);
        Assert.Contains("\noptoutgate_mo_carrier_time_ahead_total 0\n", first, StringComparison.Ordinal);
        Assert.Contains("\noptoutgate_replication_dropped_total 0\n", first, StringComparison.Ordinal);

        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis);
        Assert.Contains("\noptoutgate_replica_gaps_total 0\n", await ScrapeAsync(replica), StringComparison.Ordinal);

        // The webhook families have series once a subscription exists and has delivered (its test delivery and the write's event).
        await using var receiver = await WebhookReceiver.StartAsync();
        using var primaryChannel = GrpcChannel.ForAddress(primary.GrpcAddress);
        await new WebhookClient(primaryChannel).CreateAsync(receiver.Url, types: WebhookEventType.OptOut);
        using var writer = new ReplicationClient(primary);
        var sequence = await writer.OptOutAsync(ReplicaNodes.Sender, ["+14155550123"]);
        await receiver.WaitUntilAsync(static r => r.Accepted.Count >= 1, TimeSpan.FromSeconds(30), "the opt-out's webhook event");
        using var reader = new ReplicationClient(replica);
        await reader.WaitForSequenceAsync(sequence, TimeSpan.FromSeconds(30));

        // The replica counts what it applied just after it answers for it: scrape until the families are complete.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var (primaryText, replicaText) = (await ScrapeAsync(primary), await ScrapeAsync(replica));
        var missing = Missing(listed, primaryText, replicaText);
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            (primaryText, replicaText) = (await ScrapeAsync(primary), await ScrapeAsync(replica));
            missing = Missing(listed, primaryText, replicaText);
        }

        Assert.True(missing.Count == 0, "README.md names metrics that neither /metrics has: " + string.Join(", ", missing));
        await AssertPromtoolAcceptsAsync(primaryText);
        await AssertPromtoolAcceptsAsync(replicaText);
    }

    /// <summary>The gate's metric names in README.md (<c>optoutgate_*</c>, <c>grpc_server_*</c>), a histogram's without its unit suffix.</summary>
    private static List<string> ReadmeMetricNames()
    {
        var readme = File.ReadAllText(Path.Combine(GateProcess.RepositoryRoot(), "README.md"));
        return Regex.Matches(readme, @"\b(?:optoutgate|grpc_server)_[a-z0-9_]+").Select(static m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The listed names that no family of either exposition has (a family is also found by its name plus a unit suffix).</summary>
    private static List<string> Missing(List<string> listed, string primary, string replica)
    {
        var families = (primary + "\n" + replica).Split('\n')
            .Where(static line => line.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(static line => line.Split(' ')[2])
            .ToHashSet(StringComparer.Ordinal);
        return listed.Where(name => !families.Any(family => family == name || family.StartsWith(name + "_", StringComparison.Ordinal))).ToList();
    }

    private static async Task<string> ScrapeAsync(GateProcess gate)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(gate.MetricsAddress));
    }

    private static async Task AssertPromtoolAcceptsAsync(string exposition)
    {
        var info = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process promtool;
        try
        {
            promtool = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("promtool is not installed: run ./scripts/test.sh (Debian package 'prometheus').", ex);
        }

        using (promtool)
        {
            await promtool.StandardInput.WriteAsync(exposition);
            promtool.StandardInput.Close();
            var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            Assert.True(promtool.ExitCode == 0, "promtool check metrics failed:\n" + output);
        }
    }
}
