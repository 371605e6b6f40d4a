using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>
/// The gate on TLS (Gate:TlsCertificatePath and Gate:TlsKeyPath, PEM files as an operator configures them): HTTP/2
/// negotiated through ALPN, and a client that does not trust the certificate gets no answer at all.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("optoutgate-tls-");
    private X509Certificate2 _certificate = null!;
    private GateTestServer _gate = null!;

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var certificatePath = Path.Combine(_folder.FullName, "gate.crt");
        var keyPath = Path.Combine(_folder.FullName, "gate.key");
        await File.WriteAllTextAsync(certificatePath, _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        _gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Gate:TlsCertificatePath"] = certificatePath,
            ["Gate:TlsKeyPath"] = keyPath,
        }, waitUntilServing: false);
    }

    public async Task DisposeAsync()
    {
        await _gate.DisposeAsync();
        _certificate.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task AClientThatTrustsTheCertificate_CallsTheGateOverHttp2()
    {
        Assert.Equal("https", _gate.Address.Scheme);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress(_gate.Address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new GateRpcClient(channel);

        var answer = await WaitServingAsync(client);

        Assert.Equal([Verdict.Allowed], answer.Verdicts);
    }

    [Fact]
    public async Task AClientThatDoesNotTrustTheCertificate_GetsNoAnswer()
    {
        using var channel = GrpcChannel.ForAddress(_gate.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => new GateRpcClient(channel).CheckBatchAsync(RawGrpc.Batch()).ResponseAsync);

        // Grpc.Net.Client reports the failed handshake as INTERNAL (the handler's HttpRequestException), naming SSL.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("SSL", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The first answer once the engine is open (the fixture's own health wait speaks h2c, so it is skipped here).</summary>
    private static async Task<CheckBatchResponse> WaitServingAsync(GateRpcClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await client.CheckBatchAsync(RawGrpc.Batch(), deadline: DateTime.UtcNow.AddSeconds(10));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !e.Status.Detail.Contains("SSL", StringComparison.OrdinalIgnoreCase) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
