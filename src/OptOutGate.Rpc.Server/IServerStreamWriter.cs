namespace OptOutGate.Rpc.Server;

/// <summary>The response stream of a server- or bidirectional-streaming call; each write is flushed to the client.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}
