using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Metrics;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>What every call handler shares, resolved once when the routes are mapped (options are not reloaded).</summary>
internal sealed class RpcCallServices
{
    public RpcCallServices(RpcServerOptions options, RpcServerMetrics metrics, ILogger logger, IRpcCallInterceptor[] interceptors, TimeProvider timeProvider)
    {
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = options.MaxSendMessageSize ?? int.MaxValue;
        EnableDetailedErrors = options.EnableDetailedErrors;
        Metrics = metrics;
        Logger = logger;
        Interceptors = interceptors;
        TimeProvider = timeProvider;
    }

    public int MaxReceiveMessageSize { get; }

    public int MaxSendMessageSize { get; }

    public bool EnableDetailedErrors { get; }

    public RpcServerMetrics Metrics { get; }

    public ILogger Logger { get; }

    public IRpcCallInterceptor[] Interceptors { get; }

    public TimeProvider TimeProvider { get; }
}
