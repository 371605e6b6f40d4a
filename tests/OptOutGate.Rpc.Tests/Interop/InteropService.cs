using Google.Protobuf;
using Google.Protobuf.Reflection;
using OptOutGate.Interop;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Tests.Interop;

/// <summary>
/// <c>optoutgate.interop.Interop</c> on the project's server layer, behaving like
/// <c>tests/interop/node/reference_server.js</c> (the contract is in <c>tests/interop/README.md</c>).
/// UnimplementedCall is deliberately left unbound, so the layer's own UNIMPLEMENTED answer is what the clients see.
/// </summary>
internal sealed class InteropService
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    private readonly TimeProvider _time;

    private InteropService(TimeProvider time)
    {
        _time = time;
    }

    public static ServiceDescriptor Descriptor { get; } = InteropReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Interop");

    public static ServiceDefinition Create(TimeProvider time)
    {
        var service = new InteropService(time);
        var d = Descriptor;
        return ServiceDefinition.CreateBuilder(d)
            .AddUnary<Empty, Empty>(d.FindMethodByName("EmptyCall"), service.EmptyCallAsync)
            .AddUnary<SimpleRequest, SimpleResponse>(d.FindMethodByName("UnaryCall"), service.UnaryCallAsync)
            .AddServerStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(d.FindMethodByName("StreamingOutputCall"), service.StreamingOutputCallAsync)
            .AddClientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>(d.FindMethodByName("StreamingInputCall"), service.StreamingInputCallAsync)
            .AddDuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(d.FindMethodByName("FullDuplexCall"), service.FullDuplexCallAsync)
            .AddDuplexStreaming<StreamingOutputCallRequest, StreamingOutputCallResponse>(d.FindMethodByName("HalfDuplexCall"), service.HalfDuplexCallAsync)
            .Build();
    }

    private async Task<Empty> EmptyCallAsync(Empty request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        return new Empty();
    }

    private async Task<SimpleResponse> UnaryCallAsync(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        ThrowIfEchoStatus(request.ResponseStatus);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    private async Task StreamingOutputCallAsync(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await AnswerAsync(request, responses, context.CancellationToken);
    }

    private async Task<StreamingInputCallResponse> StreamingInputCallAsync(
        IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var total = 0;
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            total += requests.Current.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    private async Task FullDuplexCallAsync(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);

        // Each request is answered before the next one is read: ping_pong waits for every answer before sending on.
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            await AnswerAsync(requests.Current, responses, context.CancellationToken);
        }
    }

    private async Task HalfDuplexCallAsync(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var buffered = new List<StreamingOutputCallRequest>();
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            buffered.Add(requests.Current);
        }

        foreach (var request in buffered)
        {
            await AnswerAsync(request, responses, context.CancellationToken);
        }
    }

    /// <summary>One response per parameter, each after its interval (every write is flushed by the layer), then the echoed status.</summary>
    private async Task AnswerAsync(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, CancellationToken cancellationToken)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), _time, cancellationToken);
            }

            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) }, cancellationToken);
        }

        ThrowIfEchoStatus(request.ResponseStatus);
    }

    /// <summary>
    /// Initial echo goes out at once as response headers (as the reference server's <c>sendMetadata</c>); the trailing
    /// echo is put in the context's trailers, which the layer sends with whatever status ends the call.
    /// </summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var request = context.RequestHeaders;
        var trailing = request.GetBytes(EchoTrailingKey);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }

        var initial = request.GetValue(EchoInitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial } });
        }
    }

    private static void ThrowIfEchoStatus(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    // The clients check size and content (zeros); the array is fresh, so wrapping it without a copy is safe.
    private static Payload Zeros(int size) => new() { Body = UnsafeByteOperations.UnsafeWrap(new byte[size]) };
}
