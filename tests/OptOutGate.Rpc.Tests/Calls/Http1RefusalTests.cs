using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

public sealed class Http1RefusalTests
{
    [Fact]
    public async Task Http1_request_to_a_grpc_route_is_refused_with_426_and_grpc_status_internal()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddRpcServer();
        builder.Services.AddRpcService(_ => EchoService.Create(new EchoProbe()));
        await using var app = builder.Build();
        app.MapRpcServices();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var content = new ByteArrayContent(RawGrpc.Frame(new EchoRequest { Text = "x" }));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        using var response = await http.PostAsync(new Uri(RawGrpc.UnaryPath, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("HTTP/2", Assert.Single(response.Headers.GetValues("Upgrade")));
        Assert.Equal("13", Assert.Single(response.Headers.GetValues("grpc-status")));
        await app.StopAsync();
    }
}
