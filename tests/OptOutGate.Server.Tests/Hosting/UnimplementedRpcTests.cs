using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

public sealed class UnimplementedRpcTests
{
    [Fact]
    public async Task EveryV1Method_IsBuilt_AndAnswersAnEmptyRequestWithItsOwnValidation()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var count = 0;
        foreach (var service in V1Services())
        {
            foreach (var method in service.Methods)
            {
                // An empty request is invalid for every method but a few, so each answers with its own validation
                // error (or OK, or NOT_FOUND for an empty id); none is left UNIMPLEMENTED.
                var status = await Calls.CallEmptyAsync(channel, method, Calls.EmptyCallTimeout(method));

                // Changes.StreamChanges with an empty request is valid: it follows the log until the deadline.
                var follows = method.Name == "StreamChanges" && status.StatusCode == StatusCode.DeadlineExceeded;
                Assert.True(follows || status.StatusCode is StatusCode.InvalidArgument or StatusCode.OK or StatusCode.NotFound, $"{method.FullName}: {status}");
                count++;
            }
        }

        Assert.True(count > 30, $"only {count} v1 methods found");
    }

    [Fact]
    public async Task UnknownServiceAndMethod_AnswerUnimplemented()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var invoker = channel.CreateCallInvoker();
        var unknownMethod = new Method<CheckBatchRequest, CheckBatchResponse>(MethodType.Unary, "optoutgate.v1.Gate", "NoSuchMethod", Calls.Marshaller<CheckBatchRequest>(), Calls.Marshaller<CheckBatchResponse>());
        var unknownService = new Method<CheckBatchRequest, CheckBatchResponse>(MethodType.Unary, "optoutgate.v9.Nothing", "CheckBatch", Calls.Marshaller<CheckBatchRequest>(), Calls.Marshaller<CheckBatchResponse>());

        var methodError = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(unknownMethod, null, default, new CheckBatchRequest()).ResponseAsync);
        var serviceError = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(unknownService, null, default, new CheckBatchRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, methodError.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, serviceError.StatusCode);
    }

    private static IEnumerable<ServiceDescriptor> V1Services() =>
    [
        GateReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gate"),
        MoReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Mo"),
        ChangesReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Changes"),
        AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin"),
    ];
}
