using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

/// <summary>https:// addresses: TLS with ALPN h2 against Kestrel with a throw-away self-signed certificate.</summary>
public sealed class TlsChannelTests : IAsyncLifetime
{
    private readonly X509Certificate2 _certificate = CreateCertificate();
    private WebApplication? _app;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            // HTTP/2 only: a client that failed to negotiate h2 through ALPN could not talk to it at all.
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(_certificate);
        }));
        builder.Services.AddRpcServer();
        builder.Services.AddRpcService(_ => EchoService.Create(new EchoProbe()));
        _app = builder.Build();
        _app.MapRpcServices();
        await _app.StartAsync();
        var bound = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _address = new Uri($"https://localhost:{bound.Port}");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _certificate.Dispose();
    }

    [Fact]
    public async Task Https_address_talks_http2_over_tls_through_a_custom_handler()
    {
        using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString();
        using var channel = GrpcChannel.ForAddress(_address, new GrpcChannelOptions { HttpHandler = handler });

        var reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "secure" });

        Assert.Equal("secure", reply.Text);
    }

    [Fact]
    public async Task Untrusted_certificate_is_unavailable()
    {
        using var channel = GrpcChannel.ForAddress(_address);

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("SSL", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Round trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
