using System.Buffers.Binary;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// The records of a change log segment file, read by FasterLog's layout as an outsider would (so tests can damage a
/// chosen record): at each 4-byte-aligned address an int32 length and that many bytes of the gate's frame (CRC-32C,
/// sequence, LogEntry); a zero length ends the written part of a page; records start at address 64. The sequence read
/// from each frame checks that the layout is what this reader thinks it is.
/// </summary>
public static class LogSegment
{
    /// <summary>FasterLog's entry header without its optional checksum: the payload length (int32).</summary>
    public const int EntryHeader = 4;

    public const int FirstAddress = 64;

    public sealed record Record(long Offset, int Length, ulong Sequence);

    /// <summary>The first segment of the active change log of a data folder.</summary>
    public static string FirstSegment(string dataDirectory) => Path.Combine(dataDirectory, "log", "active", "changes.log.0");

    public static List<Record> ReadRecords(string segment, int pageSizeBits = 20)
    {
        var bytes = File.ReadAllBytes(segment);
        var pageSize = 1L << pageSizeBits;
        var records = new List<Record>();
        var offset = (long)FirstAddress;
        while (offset + EntryHeader <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)offset));
            if (length <= 0)
            {
                var nextPage = ((offset / pageSize) + 1) * pageSize;
                if (offset % pageSize == 0 || nextPage + EntryHeader > bytes.Length)
                {
                    break;
                }

                offset = nextPage;
                continue;
            }

            var sequence = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset + EntryHeader + 4));
            Assert.Equal((ulong)records.Count + 1, sequence);
            records.Add(new Record(offset, length, sequence));
            offset += EntryHeader + ((length + 3) & ~3);
        }

        return records;
    }

    /// <summary>Flips every bit of one byte in the middle of the record's payload: its length word and CRC stay, its content no longer matches.</summary>
    public static void FlipPayloadByte(string segment, Record record)
    {
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite);
        var at = record.Offset + EntryHeader + 12 + ((record.Length - 12) / 2);
        file.Position = at;
        var b = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)~b);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Copies a data folder (the gate stopped), so a test damages the copy and keeps the original.</summary>
    public static string CopyFolder(string from)
    {
        var to = Directory.CreateTempSubdirectory("optoutgate-damaged-").FullName;
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }

        return to;
    }
}
