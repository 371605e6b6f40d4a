using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Hosting;

/// <summary>
/// Runs before every bound method's handler, in registration order (register as singletons:
/// <c>services.AddSingleton&lt;IRpcCallInterceptor, MyInterceptor&gt;()</c>). Throwing <see cref="RpcException"/> ends
/// the call with that status before the request is read (Trailers-Only); used for API-key checks and for answering
/// UNAVAILABLE while the server is still loading.
/// </summary>
public interface IRpcCallInterceptor
{
    ValueTask OnCallStartingAsync(ServerMethodDefinition method, ServerCallContext context);
}
