using System.Text;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>How failures become statuses: cancellation by cause, transport errors, HTTP/2 reset codes.</summary>
internal sealed partial class GrpcCall
{
    private static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    private static readonly Status ClientCancelled = new(StatusCode.Cancelled, "Call canceled by the client.");
    private static readonly Status Disposed = new(StatusCode.Cancelled, "gRPC call disposed.");
    private static readonly Status MissingMessage = new(StatusCode.Internal, "Failed to deserialize response message.");

    /// <summary>
    /// Why the call's token fired. The caller's tokens win over the deadline, because they are what the caller asked
    /// for; the deadline timer is the only other source of cancellation.
    /// </summary>
    internal Status CancelStatus()
    {
        if (_clientCancelled || _callerToken.IsCancellationRequested)
        {
            return ClientCancelled;
        }

        if (_disposed)
        {
            return Disposed;
        }

        return _deadline != DateTime.MaxValue ? DeadlineExceeded : ClientCancelled;
    }

    internal Status StatusFromException(Exception ex, string context)
    {
        if (_cts.IsCancellationRequested)
        {
            return CancelStatus();
        }

        switch (ex)
        {
            case RpcException rpc:
                return rpc.Status;
            case OperationCanceledException:
                return CancelStatus();
        }

        if (Find<HttpProtocolException>(ex) is { } protocol)
        {
            return new Status(GrpcHttpMapping.FromHttp2ErrorCode(protocol.ErrorCode), Describe(context, ex));
        }

        // Connection refused, reset or closed; TLS failures; the channel disposed: the spec's "connection failure".
        return ex is HttpRequestException or IOException or ObjectDisposedException
            ? new Status(StatusCode.Unavailable, Describe(context, ex))
            : new Status(StatusCode.Internal, Describe(context, ex));
    }

    /// <summary>"context Type: message Type: message" down the inner exceptions, as grpc-dotnet words it.</summary>
    internal static string Describe(string context, Exception ex)
    {
        var sb = new StringBuilder(context);
        for (var e = ex; e is not null; e = e.InnerException)
        {
            sb.Append(' ').Append(e.GetType().Name).Append(": ").Append(e.Message);
        }

        return sb.ToString();
    }

    private static T? Find<T>(Exception ex)
        where T : Exception
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
