using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Core;
using OptOutGate.Contracts.V1;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>
/// A real Kestrel server with Grpc.AspNetCore serving Gate.CheckBatch and Gate.CheckStream by a rule the tests can
/// predict: a recipient ending in 0 is opted out. Sender FAIL gets FAILED_PRECONDITION with a message that needs
/// percent-encoding (on a stream, for the whole stream).
/// </summary>
public sealed class CheckBatchServer : IAsyncLifetime
{
    public const string FailureMessage = "refusé: 100% sure";

    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public int CallsAnswered;

    public int StreamBatchesAnswered;

    /// <summary>CheckStreams whose requests ended with the client's END_STREAM, each request answered.</summary>
    public int StreamsEndedByTheClient;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = 16 * 1024 * 1024;
            options.MaxSendMessageSize = 16 * 1024 * 1024;
        });
        builder.Services.AddSingleton(new PredictableGate(this));

        _app = builder.Build();
        _app.MapGrpcService<PredictableGate>();
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed class PredictableGate(CheckBatchServer server) : OptOutGate.Contracts.V1.Gate.GateBase
    {
        public override Task<CheckBatchResponse> CheckBatch(CheckBatchRequest request, ServerCallContext context)
        {
            var response = Answer(request);
            Interlocked.Increment(ref server.CallsAnswered);
            return Task.FromResult(response);
        }

        /// <summary>Each batch answered in order with its request id; a batch from FAIL ends the whole stream with its status.</summary>
        public override async Task CheckStream(IAsyncStreamReader<CheckStreamRequest> requestStream, IServerStreamWriter<CheckStreamResponse> responseStream, ServerCallContext context)
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new CheckStreamResponse { RequestId = request.RequestId, Batch = Answer(request.Batch) });
                Interlocked.Increment(ref server.StreamBatchesAnswered);
            }

            Interlocked.Increment(ref server.StreamsEndedByTheClient);
        }

        private static CheckBatchResponse Answer(CheckBatchRequest request)
        {
            if (request.Sender == "FAIL")
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, FailureMessage));
            }

            var response = new CheckBatchResponse { Counts = new VerdictCounts(), Sequence = 7 };
            foreach (var recipient in request.Recipients)
            {
                var blocked = recipient.EndsWith('0');
                response.Verdicts.Add(blocked ? Verdict.BlockedOptedOut : Verdict.Allowed);
                if (blocked)
                {
                    response.Counts.BlockedOptedOut++;
                }
                else
                {
                    response.Counts.Allowed++;
                }
            }

            return response;
        }
    }

}
