using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Client.Internal;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

public sealed class MethodTests
{
    [Theory]
    [InlineData("Unary", MethodType.Unary)]
    [InlineData("ClientStream", MethodType.ClientStreaming)]
    [InlineData("ServerStream", MethodType.ServerStreaming)]
    [InlineData("Duplex", MethodType.DuplexStreaming)]
    public void From_descriptor_derives_path_and_kind(string name, MethodType expected)
    {
        var method = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName(name));

        Assert.Equal(expected, method.Type);
        Assert.Equal("/optoutgate.rpc.tests.Echo/" + name, method.FullName);
        Assert.Equal("optoutgate.rpc.tests.Echo", method.ServiceName);
    }

    [Fact]
    public void From_descriptor_rejects_other_message_types()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Method<EchoReply, EchoReply>.From(EchoService.Descriptor.FindMethodByName("Unary")));

        Assert.Contains("EchoRequest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_codes_map_to_statuses_per_the_spec()
    {
        Assert.Equal(StatusCode.Cancelled, GrpcHttpMapping.FromHttp2ErrorCode(0x8));
        Assert.Equal(StatusCode.Unavailable, GrpcHttpMapping.FromHttp2ErrorCode(0x7));
        Assert.Equal(StatusCode.ResourceExhausted, GrpcHttpMapping.FromHttp2ErrorCode(0xB));
        Assert.Equal(StatusCode.PermissionDenied, GrpcHttpMapping.FromHttp2ErrorCode(0xC));
        Assert.Equal(StatusCode.Internal, GrpcHttpMapping.FromHttp2ErrorCode(0x2));
    }
}
