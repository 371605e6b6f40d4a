namespace OptOutGate.Rpc;

/// <summary>The request stream of a client- or bidirectional-streaming call.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Half-closes the call: no more requests (END_STREAM on the request).</summary>
    Task CompleteAsync();
}
