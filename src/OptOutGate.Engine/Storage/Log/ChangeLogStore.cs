using System.Diagnostics;
using FASTER.core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// The change log's files: opening a FasterLog in a folder, the checks that its commit metadata matches the records on
/// disk, and the opening scan. Cutting a damaged log at the operator's request is <see cref="ChangeLogCut"/>.
/// </summary>
/// <remarks>
/// A crash never leaves damage inside the committed range: FasterLog writes the commit metadata only after the records
/// it covers are on disk (write-through I/O). So a record that fails its checksum before the committed tail, commit
/// metadata missing while records are on disk, or a committed tail below records the gate itself saw committed (the
/// saved sequence map) can only come from a disk, a restore or an operator, and every one of them may hide
/// acknowledged opt-outs. Opening then refuses (<see cref="DataDamagedException"/>) instead of cutting and serving.
/// </remarks>
internal static class ChangeLogStore
{
    public const string ActiveFolder = "active";
    public const string LogFileName = "changes.log";
    private const string CommitFolder = "log-commits";

    // Written as the cookie of a new log's first commit, so that commit metadata exists before any record does.
    private static readonly byte[] s_createdCookie = "OOG-LOG1"u8.ToArray();

    public static async Task<(FasterLog Log, IDevice Device)> OpenFasterLogAsync(string folder, ChangeLogOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var device = Devices.CreateLogDevice(Path.Combine(folder, LogFileName), preallocateFile: false, deleteOnClose: false, recoverDevice: true);
        try
        {
            var settings = new FasterLogSettings
            {
                LogDevice = device,
                LogCommitDir = folder,
                PageSizeBits = options.PageSizeBits,
                MemorySizeBits = options.MemorySizeBits,
                SegmentSizeBits = options.SegmentSizeBits,
                // Our frames carry their own CRC-32C (see LogEntryFrame).
                LogChecksum = LogChecksumType.None,
                TryRecoverLatest = true,
            };
            var log = await FasterLog.CreateAsync(settings, ct);
            if (log.TailAddress == log.BeginAddress && !HasCommitMetadata(folder))
            {
                // A new log (or one whose records were never committed): commit once with nothing in it, so that
                // from the first record on, records without commit metadata mean lost metadata, never a new log.
                // Awaited, not spin-waited: CommitStrongly(spinWait: true) yields the thread in a loop until the
                // metadata's fsync ends, some 45,000 sched_yield calls and a third of a CPU-second on every start.
                var (committed, _, _) = await log.CommitStronglyAsync(s_createdCookie, token: ct);
                if (!committed)
                {
                    throw new IOException($"The new change log in {folder} could not write its first commit metadata.");
                }
            }

            return (log, device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>The segment file holding <paramref name="address"/> and the byte offset in it (FasterLog's layout).</summary>
    public static (string File, long Offset) Locate(string folder, ChangeLogOptions options, long address)
    {
        var segment = address >> options.SegmentSizeBits;
        var offset = address & ((1L << options.SegmentSizeBits) - 1);
        return (Path.Combine(folder, LogFileName + "." + segment.ToString(System.Globalization.CultureInfo.InvariantCulture)), offset);
    }

    /// <summary>
    /// Refuses a log whose commit metadata (<c>log-commits/</c>) is gone while its first segment holds records: FasterLog
    /// would open it empty and write over them from sequence 1. Every log this gate created has metadata from its
    /// first moment (<see cref="OpenFasterLogAsync"/>).
    /// </summary>
    public static void ThrowIfRecordsWithoutCommitMetadata(string folder, ChangeLogOptions options)
    {
        if (HasCommitMetadata(folder))
        {
            return;
        }

        var (first, offset) = Locate(folder, options, FirstAddress);
        if (!File.Exists(first) || new FileInfo(first).Length < offset + 4)
        {
            return;
        }

        Span<byte> length = stackalloc byte[4];
        using (var handle = File.OpenHandle(first))
        {
            if (RandomAccess.Read(handle, length, offset) < 4 || System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(length) == 0)
            {
                return;
            }
        }

        throw new DataDamagedException(
            $"The change log's commit metadata ({Path.Combine(folder, CommitFolder)}) is missing, but {first} holds records "
            + $"({new FileInfo(first).Length} bytes): without it the log cannot tell which records were committed, and opening it would "
            + $"write new records over them from sequence 1. The gate does not serve. Restore {CommitFolder}/ from a backup taken with the "
            + $"rest of the data folder, or {char.ToLowerInvariant(DataDamagedException.Remedy[0])}{DataDamagedException.Remedy[1..]}.",
            Path.Combine(folder, CommitFolder),
            0);
    }

    /// <summary>FasterLog's first address: segment 0 is addressed from its file offset 0, and records start at 64.</summary>
    public const long FirstAddress = 64;

    private static bool HasCommitMetadata(string folder)
    {
        var commits = Path.Combine(folder, CommitFolder);
        return Directory.Exists(commits) && Directory.EnumerateFiles(commits).Any();
    }

    /// <summary>
    /// Reads every record from the log's begin address (or, given a <paramref name="saved"/> map, from the last record
    /// it names) to its committed tail, checking each frame's checksum and that sequences follow one another, and
    /// stops at the first record that fails. Null if the saved map does not match the log (scan again without it).
    /// </summary>
    public static ScanResult? Scan(FasterLog log, SequenceAddressMap? saved, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var tail = log.TailAddress;
        SequenceAddressMap? map = null;
        ulong last = 0;
        var validEnd = log.BeginAddress;
        long lastAddress = -1;
        long scanned = 0;
        string? damage = null;
        var begin = log.BeginAddress;
        var resumeAddress = -1L;
        if (saved is not null)
        {
            last = saved.FirstSequence + (ulong)saved.Count - 1;
            if (!saved.TryGet(last, out resumeAddress) || resumeAddress < log.BeginAddress || resumeAddress >= tail)
            {
                return null;
            }

            map = saved;
            begin = resumeAddress;
        }

        using (var iterator = log.Scan(begin, tail, scanBufferingMode: ScanBufferingMode.DoublePageBuffering))
        {
            while (true)
            {
                var frame = LogFrameReader.Next(iterator);
                if (frame.Kind == LogFrameKind.End)
                {
                    break;
                }

                if (frame.Kind == LogFrameKind.FramingDamaged)
                {
                    // The iterator met a length that does not fit its page: garbage.
                    damage = frame.Error;
                    break;
                }

                var (address, next, ok, sequence) = (frame.Address, frame.Next, frame.Whole, frame.Sequence);
                if (resumeAddress >= 0)
                {
                    // The saved map's last record: already mapped; it must be where the map says.
                    if (!ok || address != resumeAddress || sequence != last)
                    {
                        return null;
                    }

                    resumeAddress = -1;
                    lastAddress = address;
                    validEnd = next;
                    continue;
                }

                if (!ok)
                {
                    damage = $"bad checksum at address {address}";
                    break;
                }

                map ??= new SequenceAddressMap(sequence);
                if (last != 0 && sequence != last + 1)
                {
                    damage = $"sequence {sequence} after {last} at address {address}";
                    break;
                }

                map.Add(address);
                last = sequence;
                lastAddress = address;
                validEnd = next;
                if ((++scanned & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
            }
        }

        if (resumeAddress >= 0)
        {
            return null;
        }

        if (damage is null && validEnd != tail)
        {
            // The iterator stops quietly at zeroed bytes (it takes them for the padding at a page's end).
            damage = $"no record at address {validEnd}";
        }

        return new ScanResult(map ?? new SequenceAddressMap(1), last, lastAddress, validEnd, tail, damage, scanned, stopwatch.Elapsed);
    }

    /// <summary>The receive time of the record at <paramref name="address"/> (the last one), for the next appends.</summary>
    public static async Task<Timestamp?> ReadReceiveTimeAsync(FasterLog log, long address, ulong sequence, CancellationToken ct)
    {
        if (address < 0)
        {
            return null;
        }

        var (bytes, length) = await log.ReadAsync(address, token: ct);
        var frame = bytes.AsSpan(0, length);
        if (!LogEntryFrame.TryCheck(frame, out var s) || s != sequence || !LogEntryFrame.TryParse(frame, s, out var entry))
        {
            throw new InvalidDataException($"The change log record at address {address} changed while opening.");
        }

        return entry.Record.ReceiveTime;
    }
}

/// <summary>What the opening scan found.</summary>
/// <param name="Map">Sequence → address of every whole record.</param>
/// <param name="LastSequence">The last whole record's sequence; 0 when none.</param>
/// <param name="LastAddress">The last whole record's address; -1 when none.</param>
/// <param name="ValidEnd">The address after the last whole record.</param>
/// <param name="CommittedTail">FasterLog's recovered (committed) tail.</param>
/// <param name="DamageReason">Why the scan stopped before the committed tail; null when it did not.</param>
/// <param name="ScannedRecords">Records read and checked (those after the saved map, if one was used).</param>
internal sealed record ScanResult(
    SequenceAddressMap Map, ulong LastSequence, long LastAddress, long ValidEnd, long CommittedTail, string? DamageReason, long ScannedRecords, TimeSpan Elapsed);
