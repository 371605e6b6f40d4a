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

    /// <summary>
    /// Gives the status a handler's exception ends the call with, for exceptions that are not an
    /// <see cref="RpcException"/> (false: the server answers UNKNOWN, as for any unexpected exception). Asked in
    /// registration order; the first that maps it wins.
    /// </summary>
    bool TryMapException(Exception exception, out Status status)
    {
        status = default;
        return false;
    }
}
