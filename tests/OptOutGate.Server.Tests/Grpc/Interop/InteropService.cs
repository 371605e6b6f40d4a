using Google.Protobuf;
using Grpc.Core;
using OptOutGate.Interop;
using InteropBase = OptOutGate.Interop.Interop.InteropBase;

namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>
/// <c>optoutgate.interop.Interop</c> on its generated base, behaving like <c>tests/interop/node/reference_server.js</c>
/// (the contract is in <c>tests/interop/README.md</c>). UnimplementedCall is deliberately not overridden, so the
/// UNIMPLEMENTED answer the clients see is Grpc.AspNetCore's own.
/// </summary>
internal sealed class InteropService(TimeProvider time) : InteropBase
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    private readonly TimeProvider _time = time;

    public override async Task<Empty> EmptyCall(Empty request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        return new Empty();
    }

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        ThrowIfEchoStatus(request.ResponseStatus);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    public override async Task StreamingOutputCall(
        StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        await AnswerAsync(request, responses, context.CancellationToken);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(
        IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var total = 0;
        while (await NextAsync(requests, context))
        {
            total += requests.Current.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);

        // Each request is answered before the next one is read: ping_pong waits for every answer before sending on.
        while (await NextAsync(requests, context))
        {
            await AnswerAsync(requests.Current, responses, context.CancellationToken);
        }
    }

    public override async Task HalfDuplexCall(
        IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        var buffered = new List<StreamingOutputCallRequest>();
        while (await NextAsync(requests, context))
        {
            buffered.Add(requests.Current);
        }

        foreach (var request in buffered)
        {
            await AnswerAsync(request, responses, context.CancellationToken);
        }
    }

    /// <summary>One response per parameter, each after its interval (Grpc.AspNetCore flushes every write), then the echoed status.</summary>
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
    /// echo is put in the context's trailers, which Grpc.AspNetCore sends with whatever status ends the call.
    /// </summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var request = context.RequestHeaders;
        if (request.GetValueBytes(EchoTrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }

        if (request.GetValue(EchoInitialKey) is { } initial)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial } });
        }
    }

    /// <summary>
    /// The next request, or false at half-close. A client's reset (RST_STREAM: a cancel, or a deadline it enforced) makes
    /// Kestrel's read fail with an IOException, possibly before the call's token shows it; it ends the call as CANCELLED,
    /// the client's doing, which Grpc.AspNetCore logs as such rather than as an error of the handler.
    /// </summary>
    private static async Task<bool> NextAsync<T>(IAsyncStreamReader<T> requests, ServerCallContext context)
    {
        try
        {
            return await requests.MoveNext(context.CancellationToken);
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The client reset the call.", e));
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
