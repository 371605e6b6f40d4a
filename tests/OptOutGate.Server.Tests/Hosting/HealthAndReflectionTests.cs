using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using ReflectionV1 = Grpc.Reflection.V1;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// grpc.health.v1 and both reflection versions as independent tools use them (grpcurl and ghz of any age, the python and
/// node interop clients), through their generated clients over Grpc.Net.Client.
/// </summary>
public sealed class HealthAndReflectionTests
{
    [Fact]
    public async Task Health_AnswersForTheServerAndEveryService_NotFoundForOthers_AndWatchSeesTheStatus()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var health = new Health.HealthClient(channel);

        foreach (var service in new[] { "", "optoutgate.v1.Gate", "optoutgate.v1.Mo", "optoutgate.v1.Admin", "optoutgate.v1.Changes" })
        {
            var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: Soon());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        }

        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }, deadline: Soon()).ResponseAsync);
        using var watch = health.Watch(new HealthCheckRequest(), deadline: Soon());
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task ReflectionV1AndV1Alpha_ListTheServices_AndDescribeCheckBatch()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var v1 = new ReflectionV1.ServerReflection.ServerReflectionClient(channel);
        var v1alpha = new ReflectionV1Alpha.ServerReflection.ServerReflectionClient(channel);

        var listV1 = await AskV1Async(v1, new ReflectionV1.ServerReflectionRequest { ListServices = "" });
        var listV1Alpha = await AskV1AlphaAsync(v1alpha, new ReflectionV1Alpha.ServerReflectionRequest { ListServices = "" });
        var fileV1 = await AskV1Async(v1, new ReflectionV1.ServerReflectionRequest { FileContainingSymbol = "optoutgate.v1.Gate.CheckBatch" });
        var fileV1Alpha = await AskV1AlphaAsync(v1alpha, new ReflectionV1Alpha.ServerReflectionRequest { FileContainingSymbol = "optoutgate.v1.Gate" });

        string[] expected = ["optoutgate.v1.Gate", "optoutgate.v1.Mo", "optoutgate.v1.Changes", "optoutgate.v1.Admin", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
        Assert.Superset(expected.ToHashSet(), listV1.ListServicesResponse.Service.Select(s => s.Name).ToHashSet());
        Assert.Superset(expected.ToHashSet(), listV1Alpha.ListServicesResponse.Service.Select(s => s.Name).ToHashSet());
        foreach (var files in new[] { fileV1.FileDescriptorResponse.FileDescriptorProto, fileV1Alpha.FileDescriptorResponse.FileDescriptorProto })
        {
            var gateProto = files.Select(FileDescriptorProto.Parser.ParseFrom).Single(f => f.Name == "optoutgate/v1/gate.proto");
            var methods = gateProto.Service.Single(s => s.Name == "Gate").Method.Select(m => m.Name);
            Assert.Equal(["CheckBatch", "CheckStream"], methods.Order());
        }
    }

    private static async Task<ReflectionV1.ServerReflectionResponse> AskV1Async(ReflectionV1.ServerReflection.ServerReflectionClient client, ReflectionV1.ServerReflectionRequest request)
    {
        using var call = client.ServerReflectionInfo(deadline: Soon());
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.NotEqual(ReflectionV1.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, call.ResponseStream.Current.MessageResponseCase);
        return call.ResponseStream.Current;
    }

    private static async Task<ReflectionV1Alpha.ServerReflectionResponse> AskV1AlphaAsync(ReflectionV1Alpha.ServerReflection.ServerReflectionClient client, ReflectionV1Alpha.ServerReflectionRequest request)
    {
        using var call = client.ServerReflectionInfo(deadline: Soon());
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.NotEqual(ReflectionV1Alpha.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, call.ResponseStream.Current.MessageResponseCase);
        return call.ResponseStream.Current;
    }

    private static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);
}
