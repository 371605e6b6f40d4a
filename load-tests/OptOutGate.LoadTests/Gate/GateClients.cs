using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// --connections channels to one gate (ghz --connections: the workers are spread evenly over them) and the API key
/// header. One channel is one HTTP/2 connection until it has 100 calls in flight.
/// </summary>
internal sealed class GateClients : IDisposable
{
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> HealthCheck = Find<HealthCheckRequest, HealthCheckResponse>(HealthReflection.Descriptor, "Health", "Check");
    public static readonly Method<CheckBatchRequest, CheckBatchResponse> CheckBatch = Find<CheckBatchRequest, CheckBatchResponse>(GateReflection.Descriptor, "Gate", "CheckBatch");
    public static readonly Method<CheckStreamRequest, CheckStreamResponse> CheckStream = Find<CheckStreamRequest, CheckStreamResponse>(GateReflection.Descriptor, "Gate", "CheckStream");
    public static readonly Method<StreamMoRequest, StreamMoResponse> StreamMo = Find<StreamMoRequest, StreamMoResponse>(MoReflection.Descriptor, "Mo", "StreamMo");
    public static readonly Method<AddOptOutsRequest, AddOptOutsResponse> AddOptOuts = AdminMethod<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts");
    public static readonly Method<ImportOptOutsRequest, ImportOptOutsResponse> ImportOptOuts = AdminMethod<ImportOptOutsRequest, ImportOptOutsResponse>("ImportOptOuts");
    public static readonly Method<PutInboundAddressRequest, InboundAddress> PutInboundAddress = AdminMethod<PutInboundAddressRequest, InboundAddress>("PutInboundAddress");

    private readonly GrpcChannel[] _channels;

    public GateClients(Uri address, int connections, string? key, TimeSpan timeout)
    {
        Address = address;
        Timeout = timeout;
        _channels = new GrpcChannel[connections];
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        }

        if (key is not null)
        {
            Headers = new Metadata { { "authorization", "Bearer " + key } };
        }
    }

    public Uri Address { get; }

    public TimeSpan Timeout { get; }

    public Metadata? Headers { get; }

    public static GateClients Primary(LoadTestOptions options) => new(options.Address, options.Connections, options.Key, options.Timeout);

    /// <summary>The channel of worker <paramref name="worker"/>: workers round-robin over the connections.</summary>
    public GrpcChannel For(int worker) => _channels[worker % _channels.Length];

    /// <summary>Per-call options: the key and ghz's default 20 s timeout, so a stuck call ends as DeadlineExceeded.</summary>
    public CallOptions Call(CancellationToken cancellationToken) => new(Headers, DateTime.UtcNow + Timeout, cancellationToken);

    /// <summary>Options for a long-lived stream: no deadline beyond the run.</summary>
    public CallOptions Stream(CancellationToken cancellationToken) => new(Headers, null, cancellationToken);

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private static Method<TRequest, TResponse> Find<TRequest, TResponse>(Google.Protobuf.Reflection.FileDescriptor file, string service, string method)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>.From(file.FindTypeByName<ServiceDescriptor>(service).FindMethodByName(method));

    private static Method<TRequest, TResponse> AdminMethod<TRequest, TResponse>(string method)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        Find<TRequest, TResponse>(AdminReflection.Descriptor, "Admin", method);
}
