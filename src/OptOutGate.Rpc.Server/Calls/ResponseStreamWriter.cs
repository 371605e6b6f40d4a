using System.IO.Pipelines;
using Google.Protobuf;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>The response stream of a server-streaming or duplex call: each message is flushed, so it leaves at once.</summary>
internal sealed class ResponseStreamWriter<TResponse> : IServerStreamWriter<TResponse>
    where TResponse : class, IMessage<TResponse>
{
    private readonly RpcServerCallContext _call;

    public ResponseStreamWriter(RpcServerCallContext call)
    {
        _call = call;
    }

    public async Task WriteAsync(TResponse message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        await _call.EnterWriteAsync();
        try
        {
            _call.WriteMessage(message);
            var http = _call.HttpContext;
            var callToken = _call.CancellationToken;
            FlushResult flush;
            try
            {
                flush = await http.Response.BodyWriter.FlushAsync(callToken);
            }
            catch (IOException)
            {
                // Same reset as on the read side: the client left, this is not a handler failure.
                _call.MarkRequestStreamFailed();
                throw;
            }


            // After the client resets the stream Kestrel completes flushes without an error (aspnetcore#40788):
            // without this check a streaming loop would write into the void until it ends by itself.
            if (flush.IsCanceled || http.RequestAborted.IsCancellationRequested)
            {
                throw new OperationCanceledException(callToken);
            }
        }
        finally
        {
            _call.ExitWrite();
        }
    }
}
