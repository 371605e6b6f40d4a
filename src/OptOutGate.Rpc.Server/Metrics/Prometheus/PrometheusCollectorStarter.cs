using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// Creates the collector (and the process meter) when the host starts: a listener created at the first scrape
/// would miss every measurement made before it.
/// </summary>
internal sealed class PrometheusCollectorStarter : IHostedService
{
    public PrometheusCollectorStarter(PrometheusCollector collector, IOptions<PrometheusMetricsOptions> options, IServiceProvider services)
    {
        _ = collector;
        if (options.Value.IncludeProcessMetrics)
        {
            _ = services.GetRequiredService<ProcessMetrics>();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
