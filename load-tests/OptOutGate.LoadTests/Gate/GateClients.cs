using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using AdminClient = OptOutGate.Contracts.V1.Admin.AdminClient;
using GateClient = OptOutGate.Contracts.V1.Gate.GateClient;
using MoClient = OptOutGate.Contracts.V1.Mo.MoClient;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// --connections channels to one gate (ghz --connections: the workers are spread evenly over them) and the API key
/// header, with the contract's generated clients on each. One Grpc.Net.Client channel is one HTTP/2 connection until it
/// has 100 calls in flight (then it opens another, as SocketsHttpHandler's EnableMultipleHttp2Connections does).
/// </summary>
internal sealed class GateClients : IDisposable
{
    /// <summary>
    /// Gate/CheckBatch as the generator calls it: the request is a pooled batch serialized once (<see cref="BatchPool"/>),
    /// handed to the channel as is; the answer is read as a <see cref="CheckBatchTally"/> straight from the response
    /// bytes. Building 1,000 numbers per call, or the generated response with a list entry per verdict, would cost the
    /// client CPU and garbage that on a 2-core machine the measured gate needs. Same service and method name as the
    /// generated one, so the gate sees an ordinary CheckBatch.
    /// </summary>
    public static readonly Method<byte[], CheckBatchTally> RawCheckBatch = new(
        MethodType.Unary,
        "optoutgate.v1.Gate",
        "CheckBatch",
        new Marshaller<byte[]>(static (bytes, context) => context.Complete(bytes), static _ => throw new NotSupportedException("The generator only sends CheckBatch requests.")),
        new Marshaller<CheckBatchTally>(static (_, _) => throw new NotSupportedException("The generator only reads CheckBatch responses."), static context => CheckBatchTally.Decode(context.PayloadAsReadOnlySequence())));

    /// <summary>
    /// Gate/CheckStream as the generator calls it, for the same reason as <see cref="RawCheckBatch"/>: each request is a
    /// pre-serialized batch behind its id (<see cref="CheckStreamBatch"/>), each answer a <see cref="CheckStreamTally"/>.
    /// </summary>
    public static readonly Method<CheckStreamBatch, CheckStreamTally> RawCheckStream = new(
        MethodType.DuplexStreaming,
        "optoutgate.v1.Gate",
        "CheckStream",
        new Marshaller<CheckStreamBatch>(CheckStreamBatch.Serialize, static _ => throw new NotSupportedException("The generator only sends CheckStream requests.")),
        new Marshaller<CheckStreamTally>(static (_, _) => throw new NotSupportedException("The generator only reads CheckStream responses."), static context => CheckStreamTally.Decode(context.PayloadAsReadOnlySequence())));

    /// <summary>Method names as ghz prints them in its summary's header.</summary>
    public const string HealthCheckName = "/grpc.health.v1.Health/Check";
    public const string CheckBatchName = "/optoutgate.v1.Gate/CheckBatch";
    public const string CheckStreamName = "/optoutgate.v1.Gate/CheckStream";
    public const string StreamMoName = "/optoutgate.v1.Mo/StreamMo";

    private readonly Connection[] _connections;

    public GateClients(Uri address, int connections, string? key, TimeSpan timeout)
    {
        Address = address;
        Timeout = timeout;
        _connections = new Connection[connections];
        for (var i = 0; i < _connections.Length; i++)
        {
            _connections[i] = new Connection(GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 }));
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

    /// <summary>The connection of worker <paramref name="worker"/>: workers round-robin over the connections.</summary>
    public Connection For(int worker) => _connections[worker % _connections.Length];

    /// <summary>Per-call options: the key and ghz's default 20 s timeout, so a stuck call ends as DeadlineExceeded.</summary>
    public CallOptions Call(CancellationToken cancellationToken) => new(Headers, DateTime.UtcNow + Timeout, cancellationToken);

    /// <summary>Per-call options with a deadline of their own.</summary>
    public CallOptions Call(DateTime deadline, CancellationToken cancellationToken) => new(Headers, deadline, cancellationToken);

    /// <summary>Options for a long-lived stream: no deadline beyond the run.</summary>
    public CallOptions Stream(CancellationToken cancellationToken) => new(Headers, null, cancellationToken);

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Channel.Dispose();
        }
    }

    /// <summary>One channel and the generated clients on it.</summary>
    internal sealed class Connection(GrpcChannel channel)
    {
        public GrpcChannel Channel { get; } = channel;

        public CallInvoker Invoker { get; } = channel.CreateCallInvoker();

        public GateClient Gate { get; } = new(channel);

        public MoClient Mo { get; } = new(channel);

        public AdminClient Admin { get; } = new(channel);

        public Health.HealthClient Health { get; } = new(channel);

        /// <summary>CheckBatch of a pre-serialized request, its answer tallied from the bytes (<see cref="RawCheckBatch"/>).</summary>
        public AsyncUnaryCall<CheckBatchTally> CheckBatchRaw(byte[] request, CallOptions options) => Invoker.AsyncUnaryCall(RawCheckBatch, null, options, request);

        /// <summary>A CheckStream of pre-serialized batches, its answers tallied from the bytes (<see cref="RawCheckStream"/>).</summary>
        public AsyncDuplexStreamingCall<CheckStreamBatch, CheckStreamTally> CheckStreamRaw(CallOptions options) => Invoker.AsyncDuplexStreamingCall(RawCheckStream, null, options);
    }
}
