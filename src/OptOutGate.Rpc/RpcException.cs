namespace OptOutGate.Rpc;

/// <summary>
/// A call that ended with a non-OK status. Server handlers throw it to end a call with that status
/// (and <see cref="Trailers"/>); the client throws it when a call ends with a non-OK status.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(Status status)
        : this(status, new Metadata())
    {
    }

    public RpcException(Status status, Metadata trailers)
        : base($"Status(StatusCode=\"{status.Code}\", Detail=\"{status.Detail}\")")
    {
        Status = status;
        Trailers = trailers;
    }

    public RpcException(StatusCode code, string detail)
        : this(new Status(code, detail))
    {
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.Code;

    /// <summary>Trailing metadata: sent with the status by a server, received with it by a client.</summary>
    public Metadata Trailers { get; }
}
