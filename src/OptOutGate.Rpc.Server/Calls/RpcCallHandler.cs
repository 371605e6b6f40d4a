using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// The endpoint of one bound method: HTTP checks, the call's lifetime (interceptors, handler, status, metrics), with
/// the kind-specific part (reading requests, calling the delegate, writing responses) in <see cref="InvokeAsync"/>.
/// </summary>
internal abstract class RpcCallHandler
{
    protected RpcCallHandler(ServerMethodDefinition method, RpcCallServices services)
    {
        Method = method;
        Services = services;
    }

    public ServerMethodDefinition Method { get; }

    protected RpcCallServices Services { get; }

    /// <summary>True for client-streaming and duplex calls, whose request body may legitimately trickle in for long.</summary>
    protected abstract bool StreamsRequests { get; }

    public Task HandleAsync(HttpContext http)
    {
        if (!RpcRequestValidation.TryAccept(http, Services.Logger))
        {
            return Task.CompletedTask;
        }

        return RunCallAsync(http);
    }

    protected abstract Task InvokeAsync(RpcServerCallContext call);

    private async Task RunCallAsync(HttpContext http)
    {
        var services = Services;
        var method = Method;
        var started = services.TimeProvider.GetTimestamp();
        services.Metrics.CallStarted(method.ServiceName, method.MethodName);
        RpcRequestValidation.PrepareResponse(http.Response);
        RelaxRequestLimits(http);

        var call = new RpcServerCallContext(http, method, services);
        var code = StatusCode.Unknown;
        try
        {
            if (!call.TryStart(out var failure))
            {
                code = await call.CompleteAsync(failure, trailers: null);
                return;
            }

            Status status;
            Metadata? trailers = null;
            try
            {
                var interceptors = services.Interceptors;
                for (var i = 0; i < interceptors.Length; i++)
                {
                    await interceptors[i].OnCallStartingAsync(method, call);
                }

                await InvokeAsync(call);
                status = Status.Ok;
            }
#pragma warning disable CA1031 // Every failure of a handler must become a gRPC status; nothing may escape to Kestrel.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                status = call.StatusFromException(ex, out trailers);
            }

            code = await call.CompleteAsync(status, trailers);
        }
        finally
        {
            await call.DisposeAsync();
            services.Metrics.CallFinished(method.ServiceName, method.MethodName, code, services.TimeProvider.GetElapsedTime(started));
        }
    }

    private void RelaxRequestLimits(HttpContext http)
    {
        var features = http.Features;

        // The receive limit bounds each message; Kestrel's 30 MB body limit would otherwise cut off a long stream or a
        // large unary with a non-gRPC error. Settable only before the body is first read.
        var maxBody = features.Get<IHttpMaxRequestBodySizeFeature>();
        if (maxBody is { IsReadOnly: false })
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (StreamsRequests)
        {
            // A client stream may pause for as long as it likes; Kestrel's minimum data rate (240 B/s after 5 s)
            // would abort it. HTTP/2 only allows turning the check off.
            var minRate = features.Get<IHttpMinRequestBodyDataRateFeature>();
            if (minRate is not null)
            {
                minRate.MinDataRate = null;
            }

            features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        }
    }
}
