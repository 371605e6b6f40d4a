using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// What the gate's transport promises any gRPC client, on Grpc.AspNetCore and Kestrel: 415 for a request that is not
/// gRPC, Trailers-Only errors, deadlines, cancellation, more than 100 calls at once on one connection, and TLS.
/// </summary>
public sealed class KestrelBehaviourTests
{
    [Fact]
    public async Task WrongContentType_Is415_AndAnErrorBeforeAnyMessage_IsTrailersOnly()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var path = new Uri(gate.GrpcAddress + "/optoutgate.v1.Gate/CheckBatch");

        using var notGrpc = await http.PostAsync(path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        // An empty CheckBatchRequest is INVALID_ARGUMENT (no sender): the status comes in the headers, with no body.
        using var empty = new ByteArrayContent([0, 0, 0, 0, 0]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var invalid = await http.PostAsync(path, empty);
        var body = await invalid.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notGrpc.StatusCode);
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        Assert.Equal("3", invalid.Headers.GetValues("grpc-status").Single());
        Assert.Empty(body);
    }

    [Fact]
    public async Task Deadlines_Cancellation_AndMoreThan100CallsOnOneConnection()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var changes = new Contracts.V1.Changes.ChangesClient(channel);
        var follow = new StreamChangesRequest { FromSequence = 1, HeartbeatInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) };

        // StreamChanges follows the log until the call ends: the deadline ends it.
        using var timed = changes.StreamChanges(follow, deadline: DateTime.UtcNow.AddMilliseconds(500));
        var deadline = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await timed.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        // 150 streams open at once on the channel's one connection, each hearing its first heartbeat.
        using var cancel = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 150).Select(_ => changes.StreamChanges(follow, cancellationToken: cancel.Token)).ToList();
        var first = await Task.WhenAll(calls.Select(c => c.ResponseStream.MoveNext(CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<RpcException>(() => calls[0].ResponseStream.MoveNext(CancellationToken.None));
        calls.ForEach(c => c.Dispose());
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(StatusCode.DeadlineExceeded, deadline.StatusCode);
        Assert.All(first, Assert.True);
        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Tls_WithAPemCertificate_ServesGrpcOverHttps()
    {
        var folder = Directory.CreateTempSubdirectory("optoutgate-tls-");
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certificatePath = Path.Combine(folder.FullName, "gate.crt");
            var keyPath = Path.Combine(folder.FullName, "gate.key");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

            await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
            {
                ["Gate:TlsCertificatePath"] = certificatePath,
                ["Gate:TlsKeyPath"] = keyPath,
            }, waitUntilServing: false);
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
            using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{gate.Port}", new GrpcChannelOptions { HttpHandler = handler });

            // The fixture's own wait for SERVING would not trust this certificate: the test's client waits instead.
            using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
            var status = HealthCheckResponse.Types.ServingStatus.Unknown;
            while (status != HealthCheckResponse.Types.ServingStatus.Serving && await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
                status = watch.ResponseStream.Current.Status;
            }

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
