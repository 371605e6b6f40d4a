using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>Refuses calls carrying <c>x-deny</c>, the way the host's API-key check will.</summary>
public sealed class DenyInterceptor : IRpcCallInterceptor
{
    public ValueTask OnCallStartingAsync(ServerMethodDefinition method, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("x-deny") is { } reason)
        {
            throw new RpcException(StatusCode.Unauthenticated, "Denied: " + reason);
        }

        return ValueTask.CompletedTask;
    }
}
