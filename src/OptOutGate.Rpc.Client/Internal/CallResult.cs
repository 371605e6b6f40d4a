using System.Net.Http.Headers;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// A finished call's status and trailers. Trailers of an OK call are turned into <see cref="Metadata"/> only when
/// asked for, so that a unary call that nobody inspects does not pay for them.
/// </summary>
internal sealed class CallResult
{
    private readonly HttpHeaders? _source;
    private Metadata? _trailers;

    public CallResult(Status status, Metadata trailers)
    {
        Status = status;
        _trailers = trailers;
    }

    public CallResult(Status status, HttpHeaders source)
    {
        Status = status;
        _source = source;
    }

    public Status Status { get; }

    public Metadata Trailers
    {
        get
        {
            if (_trailers is null)
            {
                Interlocked.CompareExchange(ref _trailers, ResponseMetadata.Read(_source!), null);
            }

            return _trailers;
        }
    }

    public RpcException ToException() => new(Status, Trailers);
}
