using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OptOutGate.Core.Durability;

/// <summary>
/// A saved copy of the sequence → address map (<c>active/sequence-map.bin</c>), so that opening scans only the
/// records after it instead of the whole log (10 million records: about 5 s to scan, 0.2 s to load).
/// </summary>
/// <remarks>
/// Layout: <c>"OOGSMAP1"</c>, first sequence (u64), count (u64), CRC-32C of the addresses (u32), CRC-32C of the 28
/// bytes before it (u32), then count addresses (i64), all little-endian. Written to a temporary file, fsynced, then
/// renamed over the old one. A file that does not check out is ignored (the open scans the whole log). Records never
/// move within a log folder, so an older file stays right for its prefix; a rewrite after a torn tail starts a new
/// folder without one.
/// </remarks>
internal static class SequenceMapFile
{
    public const string FileName = "sequence-map.bin";
    private const int HeaderSize = 32;
    private static readonly byte[] Magic = "OOGSMAP1"u8.ToArray();

    public static async Task SaveAsync(string folder, SequenceAddressMap map, long count, CancellationToken ct)
    {
        var path = Path.Combine(folder, FileName);
        var temporary = path + ".tmp";
        var crc = uint.MaxValue;
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var header = new byte[HeaderSize];
            await file.WriteAsync(header, ct);
            foreach (var chunk in map.Chunks(count))
            {
                var bytes = MemoryMarshal.AsBytes(chunk.Span).ToArray();
                if (!BitConverter.IsLittleEndian)
                {
                    throw new PlatformNotSupportedException("The sequence map file is written on little-endian machines only.");
                }

                crc = LogEntryFrame.Crc32CContinue(crc, bytes);
                await file.WriteAsync(bytes, ct);
            }

            Magic.CopyTo(header, 0);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), map.FirstSequence);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), (ulong)count);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), ~crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), LogEntryFrame.Crc32C(header.AsSpan(0, 28)));
            file.Position = 0;
            await file.WriteAsync(header, ct);
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        FileSystemSync.SyncDirectory(folder);
    }

    /// <summary>The saved map, or null if there is none or it does not check out.</summary>
    public static async Task<SequenceAddressMap?> TryLoadAsync(string folder, CancellationToken ct)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, ct);
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)) != LogEntryFrame.Crc32C(bytes.AsSpan(0, 28)))
        {
            return null;
        }

        var first = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        var count = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16));
        var payload = bytes.AsSpan(HeaderSize);
        if (first == 0 || count == 0 || (ulong)payload.Length != count * 8
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)) != LogEntryFrame.Crc32C(payload))
        {
            return null;
        }

        return SequenceAddressMap.Load(first, MemoryMarshal.Cast<byte, long>(payload));
    }
}
