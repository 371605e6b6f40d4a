using System.Runtime.CompilerServices;
using FASTER.core;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// FASTER callbacks for the index. Input and output are both an <see cref="EntryValue"/> (the value to write; the
/// value read or replaced). A struct, so FASTER's session code is specialised for it and the read callbacks inline.
/// <para>
/// The store runs with <see cref="ConcurrencyControlMode.None"/> (see <see cref="EntryIndex"/>): readers do not lock,
/// so every in-place store and every concurrent load of a value is a single aligned 8-byte access, which x64 and
/// ARM64 perform atomically; a reader sees the old or the new value, never a mix.
/// </para>
/// </summary>
internal readonly struct EntryFunctions : IFunctions<EntryKey, EntryValue, EntryValue, EntryValue, Empty>
{
    public bool SingleReader(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue dst, ref ReadInfo readInfo)
    {
        dst = value;
        return true;
    }

    public bool ConcurrentReader(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue dst, ref ReadInfo readInfo)
    {
        dst = new EntryValue(Volatile.Read(ref Packed(ref value)));
        return true;
    }

    public void ReadCompletionCallback(ref EntryKey key, ref EntryValue input, ref EntryValue output, Empty ctx, Status status, RecordMetadata recordMetadata)
    {
    }

    public bool SingleWriter(ref EntryKey key, ref EntryValue input, ref EntryValue src, ref EntryValue dst, ref EntryValue output, ref UpsertInfo upsertInfo, WriteReason reason)
    {
        dst = src;
        return true;
    }

    public void PostSingleWriter(ref EntryKey key, ref EntryValue input, ref EntryValue src, ref EntryValue dst, ref EntryValue output, ref UpsertInfo upsertInfo, WriteReason reason)
    {
    }

    public bool ConcurrentWriter(ref EntryKey key, ref EntryValue input, ref EntryValue src, ref EntryValue dst, ref EntryValue output, ref UpsertInfo upsertInfo)
    {
        Volatile.Write(ref Packed(ref dst), src.Packed);
        return true;
    }

    public bool NeedInitialUpdate(ref EntryKey key, ref EntryValue input, ref EntryValue output, ref RMWInfo rmwInfo) => true;

    public bool InitialUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue output, ref RMWInfo rmwInfo)
    {
        value = input;
        return true;
    }

    public void PostInitialUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue output, ref RMWInfo rmwInfo)
    {
    }

    public bool NeedCopyUpdate(ref EntryKey key, ref EntryValue input, ref EntryValue oldValue, ref EntryValue output, ref RMWInfo rmwInfo) => true;

    public bool CopyUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue oldValue, ref EntryValue newValue, ref EntryValue output, ref RMWInfo rmwInfo)
    {
        output = oldValue;
        newValue = input;
        return true;
    }

    public void PostCopyUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue oldValue, ref EntryValue newValue, ref EntryValue output, ref RMWInfo rmwInfo)
    {
    }

    public bool InPlaceUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue output, ref RMWInfo rmwInfo)
    {
        output = value;
        Volatile.Write(ref Packed(ref value), input.Packed);
        return true;
    }

    public void RMWCompletionCallback(ref EntryKey key, ref EntryValue input, ref EntryValue output, Empty ctx, Status status, RecordMetadata recordMetadata)
    {
    }

    public bool SingleDeleter(ref EntryKey key, ref EntryValue value, ref DeleteInfo deleteInfo)
    {
        value = default;
        return true;
    }

    public void PostSingleDeleter(ref EntryKey key, ref DeleteInfo deleteInfo)
    {
    }

    // The value stays as it was: a reader racing the tombstone reads the whole old value, which is the state just
    // before the delete.
    public bool ConcurrentDeleter(ref EntryKey key, ref EntryValue value, ref DeleteInfo deleteInfo) => true;

    public void DisposeSingleWriter(ref EntryKey key, ref EntryValue input, ref EntryValue src, ref EntryValue dst, ref EntryValue output, ref UpsertInfo upsertInfo, WriteReason reason)
    {
    }

    public void DisposeCopyUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue oldValue, ref EntryValue newValue, ref EntryValue output, ref RMWInfo rmwInfo)
    {
    }

    public void DisposeInitialUpdater(ref EntryKey key, ref EntryValue input, ref EntryValue value, ref EntryValue output, ref RMWInfo rmwInfo)
    {
    }

    public void DisposeSingleDeleter(ref EntryKey key, ref EntryValue value, ref DeleteInfo deleteInfo)
    {
    }

    public void DisposeDeserializedFromDisk(ref EntryKey key, ref EntryValue value)
    {
    }

    public void CheckpointCompletionCallback(int sessionID, string sessionName, CommitPoint commitPoint)
    {
    }

    private static ref ulong Packed(ref EntryValue value) => ref Unsafe.As<EntryValue, ulong>(ref value);
}
