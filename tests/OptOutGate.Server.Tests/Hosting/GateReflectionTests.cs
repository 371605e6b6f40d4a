using Grpc.Core;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>What grpcurl and ghz ask of reflection, against the real gate: list, and the file of a method with its imports.</summary>
public sealed class GateReflectionTests
{
    [Fact]
    public async Task ListServices_NamesEveryV1ServiceHealthAndReflection()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;

        var response = await AskAsync(channel, new ServerReflectionRequest { ListServices = string.Empty });

        var names = response.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string> { "optoutgate.v1.Gate", "optoutgate.v1.Mo", "optoutgate.v1.Changes", "optoutgate.v1.Admin", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection" },
            names);
    }

    [Fact]
    public async Task FileContainingMethodSymbol_ReturnsGateProtoWithItsImports()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;

        // ghz asks exactly this: the call name with '/' turned into '.'.
        var response = await AskAsync(channel, new ServerReflectionRequest { FileContainingSymbol = "optoutgate.v1.Gate.CheckBatch" });

        var files = response.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name)
            .ToList();
        Assert.Contains("optoutgate/v1/gate.proto", files);
        Assert.Contains("optoutgate/v1/common.proto", files);
        Assert.Contains(files, f => f.StartsWith("google/protobuf/", StringComparison.Ordinal));
    }

    private static async Task<ServerReflectionResponse> AskAsync(GrpcChannel channel, ServerReflectionRequest request)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext());
        var response = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();
        Assert.NotEqual(ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse, response.MessageResponseCase);
        return response;
    }
}
