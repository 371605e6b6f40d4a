using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Storage.Checkpoints;

/// <summary>One checkpoint file's length and CRC-32C, its path relative to the data folder.</summary>
internal sealed record FileChecksum(string Path, long Length, uint Crc32C);

/// <summary>The CRC-32C of the entry index's hybrid log from <see cref="Begin"/> to <see cref="End"/> (log addresses).</summary>
internal sealed record IndexLogChecksum(long Begin, long End, uint Crc32C);

/// <summary>
/// Checksums of everything a checkpoint is made of, written into its manifest and checked before it is loaded: the
/// state files (scope table, configuration, history heads), FASTER's checkpoint files (hash index, log metadata) and
/// the range of FASTER's hybrid log the checkpoint covers. FASTER checks none of them, and a file cut short or changed
/// loads silently: an index file cut short answered ALLOWED for a third of 3,000 opt-outs. A mismatch makes the
/// checkpoint unusable, and the engine rebuilds the state from an older one or from the change log.
/// </summary>
/// <remarks>
/// The hybrid log only grows and a fold-over checkpoint flushes all of it, so the range of one checkpoint is a prefix of
/// the next one's: the next checksum continues the previous one over the new bytes only (tens of MB per checkpoint at
/// most, instead of the whole log, 350 MB at 10 million entries).
/// </remarks>
internal static class CheckpointChecksums
{
    private const int BufferBytes = 1 << 20;

    /// <summary>The checksum of a whole file, its path stored relative to <paramref name="dataRoot"/>.</summary>
    public static FileChecksum OfFile(string dataRoot, string path)
    {
        using var handle = File.OpenHandle(path);
        var length = RandomAccess.GetLength(handle);
        var crc = Continue(uint.MaxValue, handle, 0, length, maskRecordHeaders: false);
        return new FileChecksum(Path.GetRelativePath(dataRoot, path), length, ~crc);
    }

    /// <summary>
    /// The checksum of the index's hybrid log over [<paramref name="begin"/>, <paramref name="end"/>), continuing
    /// <paramref name="previous"/> when it covers a prefix of it (the same begin, an end not past this one).
    /// </summary>
    public static IndexLogChecksum OfIndexLog(EntryIndexOptions index, long begin, long end, IndexLogChecksum? previous)
    {
        var from = begin;
        var crc = uint.MaxValue;
        if (previous is not null && previous.Begin == begin && previous.End <= end)
        {
            from = previous.End;
            crc = ~previous.Crc32C;
        }

        return new IndexLogChecksum(begin, end, ~ContinueIndexLog(index, crc, from, end));
    }

    /// <summary>
    /// Checks every file and the index log range of <paramref name="manifest"/> against what is on disk.
    /// </summary>
    /// <exception cref="DataDamagedException">A file is missing, of another length or another checksum; the message names it.</exception>
    public static void Verify(CheckpointManifest manifest, string dataRoot, EntryIndexOptions index)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var expected in manifest.Files)
        {
            var path = Path.Combine(dataRoot, expected.Path);
            if (!File.Exists(path))
            {
                throw Mismatch(manifest, path, "is missing");
            }

            var actual = OfFile(dataRoot, path);
            if (actual.Length != expected.Length)
            {
                throw Mismatch(manifest, path, $"is {actual.Length} bytes long where the checkpoint wrote {expected.Length}");
            }

            if (actual.Crc32C != expected.Crc32C)
            {
                throw Mismatch(manifest, path, $"does not hold what the checkpoint wrote (CRC-32C {actual.Crc32C:x8}, written {expected.Crc32C:x8})");
            }
        }

        if (manifest.IndexLog is { } log)
        {
            var actual = OfIndexLog(index, log.Begin, log.End, previous: null);
            if (actual.Crc32C != log.Crc32C)
            {
                var (first, _) = EntryIndex.LocateLog(index, log.Begin);
                throw Mismatch(manifest, first, $"(the entry index's log, addresses {log.Begin}..{log.End}) does not hold what the checkpoint flushed");
            }
        }
    }

    private static DataDamagedException Mismatch(CheckpointManifest manifest, string path, string what) =>
        new($"The checkpoint at sequence {manifest.Sequence} ({manifest.Directory}) is damaged: {path} {what}. It is not used; the state is rebuilt "
            + "from an older checkpoint or from the change log, the source of truth, and nothing is served until that is done.",
            path,
            0);

    private static uint ContinueIndexLog(EntryIndexOptions index, uint crc, long from, long end)
    {
        while (from < end)
        {
            var (file, offset) = EntryIndex.LocateLog(index, from);
            var inSegment = Math.Min(end - from, (1L << index.SegmentSizeBits) - offset);
            if (!File.Exists(file))
            {
                // Read as zeros would be: the checksum then cannot match.
                return crc ^ 0x5A5A5A5A;
            }

            using (var handle = File.OpenHandle(file))
            {
                crc = Continue(crc, handle, offset, inSegment, maskRecordHeaders: true);
            }

            from += inSegment;
        }

        return crc;
    }

    /// <summary>
    /// Continues <paramref name="crc"/> over <paramref name="count"/> bytes from <paramref name="offset"/>; bytes past the
    /// end of the file count as missing. With <paramref name="maskRecordHeaders"/> the range is FASTER's hybrid log of
    /// the index (fixed-size records from an aligned offset), and the bits of each record header that FASTER ignores
    /// when it reads a page from disk are left out (<see cref="EntryIndex.RecordInfoBitsIgnoredOnDisk"/>): FASTER
    /// rewrites the last sector of a flush at the next one, and after a recovery those bits differ in memory, so the
    /// bytes on disk change there while nothing FASTER reads does.
    /// </summary>
    private static uint Continue(uint crc, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long count, bool maskRecordHeaders)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            while (count > 0)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(BufferBytes, count));
                var read = ReadFully(handle, chunk, offset);
                if (maskRecordHeaders)
                {
                    MaskRecordHeaders(chunk[..read], offset);
                }

                crc = LogEntryFrame.Crc32CContinue(crc, chunk[..read]);
                if (read < chunk.Length)
                {
                    // The file ends before the range does: fold the missing length in, so no short file can match.
                    return LogEntryFrame.Crc32CContinue(crc, BitConverter.GetBytes(count - read)) ^ 0xA5A5A5A5;
                }

                offset += read;
                count -= read;
            }

            return crc;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Clears the disregarded header bits of every record in <paramref name="bytes"/>, which start at log address <paramref name="address"/>.</summary>
    private static void MaskRecordHeaders(Span<byte> bytes, long address)
    {
        var first = (int)((EntryIndex.RecordBytes - (address % EntryIndex.RecordBytes)) % EntryIndex.RecordBytes);
        for (var at = first; at + sizeof(ulong) <= bytes.Length; at += EntryIndex.RecordBytes)
        {
            var header = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes[at..], header & ~EntryIndex.RecordInfoBitsIgnoredOnDisk);
        }
    }
}
