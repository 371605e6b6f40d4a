using Google.Protobuf.Reflection;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.Health;
using Xunit;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace OptOutGate.Rpc.Tests.Reflection;

/// <summary>Both reflection versions over the wire, the way grpcurl and ghz use them: one request, wait for its answer.</summary>
public sealed class ReflectionServiceTests(ObservabilityServerFixture server) : IClassFixture<ObservabilityServerFixture>
{
    private static readonly Method<V1.ServerReflectionRequest, V1.ServerReflectionResponse> s_v1 =
        Method<V1.ServerReflectionRequest, V1.ServerReflectionResponse>.From(V1.ReflectionReflection.Descriptor.Services[0].Methods[0]);

    private static readonly Method<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse> s_v1Alpha =
        Method<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>.From(V1Alpha.ReflectionReflection.Descriptor.Services[0].Methods[0]);

    private static readonly string[] s_services =
    [
        "optoutgate.rpc.tests.Echo", "test.reflect.Probe", "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    ];

    [Fact]
    public async Task V1_answers_each_request_on_one_stream_before_the_next_is_sent()
    {
        using var cancel = new CancellationTokenSource(ObservabilityTimeouts.Call);
        using var call = server.Channel.DuplexStreamingCall(s_v1, new CallOptions(CancellationToken: cancel.Token));

        var list = await AskAsync(call, new V1.ServerReflectionRequest { ListServices = "*" });
        Assert.Equal(s_services.Order(), list.ListServicesResponse.Service.Select(static s => s.Name).Order());

        var file = await AskAsync(call, new V1.ServerReflectionRequest { FileByFilename = TestDescriptors.ServiceFile });
        Assert.Equal(
            [TestDescriptors.ServiceFile, "google/protobuf/timestamp.proto", "google/protobuf/empty.proto", TestDescriptors.ExtensionFile],
            file.FileDescriptorResponse.FileDescriptorProto.Select(static b => FileDescriptorProto.Parser.ParseFrom(b).Name));

        // ghz asks for the method: the call path with '/' replaced by '.'.
        var method = await AskAsync(call, new V1.ServerReflectionRequest { FileContainingSymbol = "optoutgate.rpc.tests.Echo.Unary" });
        var echo = FileDescriptorProto.Parser.ParseFrom(method.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal(EchoReflection.Descriptor.Name, echo.Name);
        Assert.Contains(echo.Service, static s => s.Name == "Echo");

        var unknown = await AskAsync(call, new V1.ServerReflectionRequest { FileContainingSymbol = "optoutgate.rpc.tests.Nope" });
        Assert.Equal((int)StatusCode.NotFound, unknown.ErrorResponse.ErrorCode);
        Assert.Equal("optoutgate.rpc.tests.Nope", unknown.OriginalRequest.FileContainingSymbol);

        var numbers = await AskAsync(call, new V1.ServerReflectionRequest { AllExtensionNumbersOfType = "optoutgate.rpc.tests.EchoRequest" });
        Assert.Equal("optoutgate.rpc.tests.EchoRequest", numbers.AllExtensionNumbersResponse.BaseTypeName);
        Assert.Empty(numbers.AllExtensionNumbersResponse.ExtensionNumber);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task V1alpha_answers_like_v1()
    {
        using var cancel = new CancellationTokenSource(ObservabilityTimeouts.Call);
        using var call = server.Channel.DuplexStreamingCall(s_v1Alpha, new CallOptions(CancellationToken: cancel.Token));

        var list = await AskAsync(call, new V1Alpha.ServerReflectionRequest { ListServices = "" });
        Assert.Equal(s_services.Order(), list.ListServicesResponse.Service.Select(static s => s.Name).Order());

        var service = await AskAsync(call, new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.Health" });
        Assert.Equal("grpc/health/v1/health.proto", FileDescriptorProto.Parser.ParseFrom(service.FileDescriptorResponse.FileDescriptorProto[0]).Name);

        var file = await AskAsync(call, new V1Alpha.ServerReflectionRequest { FileByFilename = "google/protobuf/timestamp.proto" });
        Assert.Single(file.FileDescriptorResponse.FileDescriptorProto);

        var unknown = await AskAsync(call, new V1Alpha.ServerReflectionRequest { FileByFilename = "nope.proto" });
        Assert.Equal((int)StatusCode.NotFound, unknown.ErrorResponse.ErrorCode);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
    }

    private static async Task<TResponse> AskAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest request)
    {
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        return call.ResponseStream.Current;
    }
}
