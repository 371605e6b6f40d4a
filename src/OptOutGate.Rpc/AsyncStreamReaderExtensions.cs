using System.Runtime.CompilerServices;

namespace OptOutGate.Rpc;

public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads every remaining message as an <see cref="IAsyncEnumerable{T}"/>.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        this IAsyncStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNextAsync(cancellationToken))
        {
            yield return reader.Current;
        }
    }
}
