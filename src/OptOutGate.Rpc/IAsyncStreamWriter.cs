namespace OptOutGate.Rpc;

/// <summary>A stream of messages written one at a time. One write at a time: await each before the next.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Frames and sends <paramref name="message"/>; completes when the transport has accepted it.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
