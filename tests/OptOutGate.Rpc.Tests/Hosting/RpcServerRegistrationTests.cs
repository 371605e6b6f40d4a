using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Hosting;

public sealed class RpcServerRegistrationTests
{
    [Fact]
    public void Defaults_match_grpc_dotnet()
    {
        using var provider = new ServiceCollection().AddLogging().AddRpcServer().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<RpcServerOptions>>().Value;

        Assert.Equal(4 * 1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Null(options.MaxSendMessageSize);
        Assert.False(options.EnableDetailedErrors);
        Assert.NotNull(provider.GetRequiredService<RpcServerMetrics>());
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, -1)]
    public void Non_positive_limits_fail_validation(int? receive, int? send)
    {
        using var provider = new ServiceCollection()
            .AddRpcServer(o =>
            {
                o.MaxReceiveMessageSize = receive;
                o.MaxSendMessageSize = send;
            })
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RpcServerOptions>>().Value);
    }

    [Fact]
    public void Registry_holds_every_added_service_once()
    {
        using var provider = new ServiceCollection()
            .AddRpcServer()
            .AddRpcService(_ => EchoService.Create(new EchoProbe()))
            .BuildServiceProvider();
        var registry = provider.GetRequiredService<RpcServiceRegistry>();

        var service = Assert.Single(registry.Services);
        Assert.Equal("optoutgate.rpc.tests.Echo", service.Descriptor.FullName);
        Assert.Same(service, registry.Find("optoutgate.rpc.tests.Echo"));
        Assert.Null(registry.Find("optoutgate.rpc.tests.Other"));
    }

    [Fact]
    public void Registering_a_service_twice_fails_at_startup()
    {
        using var provider = new ServiceCollection()
            .AddRpcServer()
            .AddRpcService(_ => EchoService.Create(new EchoProbe()))
            .AddRpcService(_ => EchoService.Create(new EchoProbe()))
            .BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<RpcServiceRegistry>());
        Assert.Contains("registered twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kestrel_defaults_raise_the_stream_limit_and_drop_the_server_header()
    {
        var kestrel = new KestrelServerOptions();
        kestrel.ConfigureRpcDefaults();

        Assert.False(kestrel.AddServerHeader);
        Assert.Equal(1000, kestrel.Limits.Http2.MaxStreamsPerConnection);
        Assert.True(kestrel.Limits.Http2.InitialConnectionWindowSize >= kestrel.Limits.Http2.InitialStreamWindowSize);
    }
}
