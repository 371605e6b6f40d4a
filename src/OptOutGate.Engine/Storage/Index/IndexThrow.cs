using System.Diagnostics.CodeAnalysis;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>Throw helpers, so the index's hot methods stay small enough to inline.</summary>
internal static class IndexThrow
{
    [DoesNotReturn]
    public static void Disposed() => throw new ObjectDisposedException(nameof(EntryIndex));

    [DoesNotReturn]
    public static void ReaderNotRented() =>
        throw new InvalidOperationException("The reader was already returned to its pool.");

    [DoesNotReturn]
    public static void ReaderWrongThread() =>
        throw new InvalidOperationException(
            "A reader must be returned on the thread that rented it (FASTER's epoch entry is per thread).");

    [DoesNotReturn]
    public static void Faulted(string operation, string status) =>
        throw new IOException($"FASTER {operation} failed with status {status}.");

    [DoesNotReturn]
    public static void CheckpointFailed() =>
        throw new InvalidOperationException("FASTER could not start a checkpoint (another one is in progress?).");
}
