using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>Calls any method with an empty request and the given <c>authorization</c> value (or none), and returns how it ended.</summary>
public static class KeyedCalls
{
    public static Task<Status> CallAsync(GrpcChannel channel, MethodDescriptor method, string? authorization)
    {
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        return Calls.CallEmptyAsync(channel, method, Calls.EmptyCallTimeout(method), headers);
    }

    public static Task<Status> CallWithKeyAsync(GrpcChannel channel, MethodDescriptor method, string key) => CallAsync(channel, method, "Bearer " + key);
}
