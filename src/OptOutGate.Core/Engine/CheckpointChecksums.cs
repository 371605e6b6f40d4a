using OptOutGate.Core.Durability;
using OptOutGate.Core.Index;

namespace OptOutGate.Core.Engine;

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
        var crc = Continue(uint.MaxValue, handle, 0, length);
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
                crc = Continue(crc, handle, offset, inSegment);
            }

            from += inSegment;
        }

        return crc;
    }

    /// <summary>Continues <paramref name="crc"/> over <paramref name="count"/> bytes from <paramref name="offset"/>; bytes past the end of the file count as missing.</summary>
    private static uint Continue(uint crc, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long count)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            while (count > 0)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(BufferBytes, count)), offset);
                if (read == 0)
                {
                    // The file ends before the range does: fold the missing length in, so no short file can match.
                    return LogEntryFrame.Crc32CContinue(crc, BitConverter.GetBytes(count)) ^ 0xA5A5A5A5;
                }

                crc = LogEntryFrame.Crc32CContinue(crc, buffer.AsSpan(0, read));
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
}
