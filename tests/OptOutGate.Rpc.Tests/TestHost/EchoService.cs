using System.Text;
using Google.Protobuf;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Rpc.Tests.Echo;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>The test service: behaviour chosen per request by <c>mode</c>.</summary>
public static class EchoService
{
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => EchoReflection.Descriptor.Services[0];

    public static ServiceDefinition Create(EchoProbe probe)
    {
        var d = Descriptor;
        return ServiceDefinition.CreateBuilder(d)
            .AddUnary<EchoRequest, EchoReply>(d.FindMethodByName("Unary"), (request, context) => UnaryAsync(request, context, probe))
            .AddClientStreaming<EchoRequest, EchoReply>(d.FindMethodByName("ClientStream"), ClientStreamAsync)
            .AddServerStreaming<EchoRequest, EchoReply>(d.FindMethodByName("ServerStream"), (request, stream, context) => ServerStreamAsync(request, stream, context, probe))
            .AddDuplexStreaming<EchoRequest, EchoReply>(d.FindMethodByName("Duplex"), DuplexAsync)
            .WithUnimplementedMessage("Test method {0} is not bound.")
            .Build();
    }

    private static async Task<EchoReply> UnaryAsync(EchoRequest request, ServerCallContext context, EchoProbe probe)
    {
        probe.Signal(request.Id, "started").TrySetResult();
        switch (request.Mode)
        {
            case "wait":
                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    probe.Signal(request.Id, "cancelled").TrySetResult();
                    throw;
                }

                break;
            case "throw":
                throw new InvalidOperationException("secret internal detail");
            case "rpc":
                var trailers = new Metadata { { "x-reason", "because" } };
                throw new RpcException(new Status(StatusCode.FailedPrecondition, request.Text), trailers);
            case "null":
                return null!;
            case "metadata":
                // Echo every request header back: text ones as response headers, all as trailers.
                var headers = new Metadata();
                var builder = new StringBuilder();
                foreach (var entry in context.RequestHeaders)
                {
                    builder.Append(entry.Key).Append(';');
                    if (entry.Key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        if (!entry.IsBinary)
                        {
                            headers.Add(entry);
                        }

                        context.ResponseTrailers.Add(entry);
                    }
                }

                await context.WriteResponseHeadersAsync(headers);
                return new EchoReply { Text = builder.ToString() };
            case "big":
                return new EchoReply { Payload = ByteString.CopyFrom(new byte[request.Count]) };
            case "peer":
                return new EchoReply { Text = context.Peer + " " + context.Method + " " + (context.Deadline == DateTime.MaxValue ? "none" : "set") };
        }

        return new EchoReply { Text = request.Text, Payload = request.Payload };
    }

    private static async Task<EchoReply> ClientStreamAsync(IAsyncStreamReader<EchoRequest> requests, ServerCallContext context)
    {
        var texts = new StringBuilder();
        var count = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            texts.Append(request.Text);
            count++;
        }

        return new EchoReply { Text = texts.ToString(), Index = count };
    }

    private static async Task ServerStreamAsync(EchoRequest request, IServerStreamWriter<EchoReply> stream, ServerCallContext context, EchoProbe probe)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await stream.WriteAsync(new EchoReply { Text = request.Text, Index = i });
        }

        if (request.Mode == "wait")
        {
            probe.Signal(request.Id, "started").TrySetResult();
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                probe.Signal(request.Id, "cancelled").TrySetResult();
                throw;
            }
        }
        else if (request.Mode == "rpc")
        {
            throw new RpcException(StatusCode.Aborted, "after messages");
        }
    }

    private static async Task DuplexAsync(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        var index = 0;
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            await responses.WriteAsync(new EchoReply { Text = requests.Current.Text, Index = index++ });
        }
    }
}
