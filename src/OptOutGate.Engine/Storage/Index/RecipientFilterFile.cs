using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The recipient filter and the live-entry count saved beside a FASTER checkpoint, so that a restart loads them in
/// one sequential read (tens of MB) instead of rebuilding them from a scan of every record. A file that is missing,
/// torn or from another checkpoint is reported as absent and the caller rebuilds from a scan.
/// <para>
/// Layout (little-endian): magic "OOGRFLT1", format version, reserved, checkpoint token (16 bytes), live entries,
/// filter count, slot count, checksum of the slots; then the slots as 4-byte integers.
/// </para>
/// </summary>
internal static class RecipientFilterFile
{
    private const ulong Magic = 0x31544C4652474F4FUL; // "OOGRFLT1"
    private const int Version = 1;
    private const int HeaderSize = 72;

    /// <summary>Writes the file to a temporary name, flushes it to disk (fsync), then renames it into place, so a
    /// crash leaves either no file or a whole one.</summary>
    public static void Save(string path, Guid token, RecipientFilter filter, long entryCount)
    {
        var slots = filter.Slots;
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        token.TryWriteBytes(header[16..32]);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], entryCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[40..], filter.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[48..], slots.LongLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header[56..], Checksum(slots));

        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            file.Write(header);
            file.Write(MemoryMarshal.AsBytes(slots.AsSpan()));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static bool TryLoad(string path, Guid token, out RecipientFilter? filter, out long entryCount)
    {
        filter = null;
        entryCount = 0;
        if (!File.Exists(path))
        {
            return false;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (file.Length < HeaderSize || file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
        {
            return false;
        }

        var slotCount = BinaryPrimitives.ReadInt64LittleEndian(header[48..]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version
            || new Guid(header[16..32]) != token
            || slotCount <= 0 || !BitOperations.IsPow2(slotCount) || slotCount > Array.MaxLength
            || file.Length != HeaderSize + (slotCount * sizeof(uint)))
        {
            return false;
        }

        var slots = HugePageArray.AllocateZeroed<uint>((int)slotCount);
        var bytes = MemoryMarshal.AsBytes(slots.AsSpan());
        if (file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length
            || Checksum(slots) != BinaryPrimitives.ReadUInt64LittleEndian(header[56..]))
        {
            return false;
        }

        entryCount = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        filter = RecipientFilter.FromSlots(slots, BinaryPrimitives.ReadInt64LittleEndian(header[40..]));
        return true;
    }

    /// <summary>A fast multiply-rotate checksum over 8-byte words: it catches torn and corrupted files, it is not a
    /// defence against tampering.</summary>
    private static ulong Checksum(uint[] slots)
    {
        var words = MemoryMarshal.Cast<uint, ulong>(slots.AsSpan());
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)slots.LongLength;
        foreach (var w in words)
        {
            h = BitOperations.RotateLeft(h ^ (w * 0xC2B2AE3D27D4EB4FUL), 31) * 0x9E3779B97F4A7C15UL;
        }

        if ((slots.Length & 1) != 0)
        {
            h = BitOperations.RotateLeft(h ^ (slots[^1] * 0xC2B2AE3D27D4EB4FUL), 31) * 0x9E3779B97F4A7C15UL;
        }

        return h;
    }
}
