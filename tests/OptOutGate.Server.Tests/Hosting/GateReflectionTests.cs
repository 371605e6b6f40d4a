using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using OptOutGate.Server.Tests.Infrastructure;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// What grpcurl and ghz ask of reflection, against the real gate, in both versions (v1, and v1alpha that older tools
/// speak): the list of services, and the file of a method with its imports, each answered on the open stream.
/// </summary>
public sealed class GateReflectionTests(GateServerFixture fixture) : IClassFixture<GateServerFixture>
{
    private static readonly string[] s_services = ["optoutgate.v1.Gate", "optoutgate.v1.Mo", "optoutgate.v1.Changes", "optoutgate.v1.Admin", "grpc.health.v1.Health"];

    private readonly GateTestServer _gate = fixture.Server;

    [Fact]
    public async Task V1_ListServices_NamesEveryV1ServiceHealthAndReflection()
    {
        var client = new V1.ServerReflection.ServerReflectionClient(_gate.Channel);

        var response = await AskAsync(client.ServerReflectionInfo(deadline: Deadline()), new V1.ServerReflectionRequest { ListServices = string.Empty });

        Assert.NotEqual(V1.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, response.MessageResponseCase);
        var names = response.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();
        Assert.Superset(new HashSet<string>([.. s_services, "grpc.reflection.v1.ServerReflection"]), names);
    }

    [Fact]
    public async Task V1Alpha_ListServices_NamesEveryV1ServiceAndHealth()
    {
        var client = new V1Alpha.ServerReflection.ServerReflectionClient(_gate.Channel);

        var response = await AskAsync(client.ServerReflectionInfo(deadline: Deadline()), new V1Alpha.ServerReflectionRequest { ListServices = string.Empty });

        Assert.NotEqual(V1Alpha.ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, response.MessageResponseCase);
        Assert.Superset(new HashSet<string>(s_services), response.ListServicesResponse.Service.Select(s => s.Name).ToHashSet());
    }

    [Fact]
    public async Task V1_FileContainingMethodSymbol_ReturnsGateProtoWithItsImports()
    {
        var client = new V1.ServerReflection.ServerReflectionClient(_gate.Channel);

        // ghz asks exactly this: the call name with '/' turned into '.'.
        var response = await AskAsync(client.ServerReflectionInfo(deadline: Deadline()), new V1.ServerReflectionRequest { FileContainingSymbol = "optoutgate.v1.Gate.CheckBatch" });

        AssertGateProtoWithImports(response.FileDescriptorResponse.FileDescriptorProto);
    }

    [Fact]
    public async Task V1Alpha_FileContainingMethodSymbol_ReturnsGateProtoWithItsImports()
    {
        var client = new V1Alpha.ServerReflection.ServerReflectionClient(_gate.Channel);

        var response = await AskAsync(client.ServerReflectionInfo(deadline: Deadline()), new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "optoutgate.v1.Gate.CheckBatch" });

        AssertGateProtoWithImports(response.FileDescriptorResponse.FileDescriptorProto);
    }

    private static void AssertGateProtoWithImports(IEnumerable<ByteString> files)
    {
        var names = files.Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToList();
        Assert.Contains("optoutgate/v1/gate.proto", names);
        Assert.Contains("optoutgate/v1/common.proto", names);
        Assert.Contains(names, f => f.StartsWith("google/protobuf/", StringComparison.Ordinal));
    }

    /// <summary>Sends one request and reads its answer before half-closing, as grpcurl does.</summary>
    private static async Task<TResponse> AskAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest request)
    {
        using (call)
        {
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var response = call.ResponseStream.Current;
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
            return response;
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);
}
