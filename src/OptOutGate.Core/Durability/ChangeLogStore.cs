using System.Diagnostics;
using FASTER.core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Core.Durability;

/// <summary>
/// The change log's files: opening a FasterLog in a folder, the opening scan, and cutting a torn tail by rewriting
/// the whole records into a fresh log.
/// </summary>
/// <remarks>
/// Why a rewrite: FasterLog has no tail truncation, and its recovered tail is the committed tail from its commit
/// metadata. Damage before that address (a file cut short, garbage over the last bytes) stays in the committed range,
/// so appending after it would leave the damage between old and new records, and the next opening scan would stop at
/// the damage again and drop the newer, acknowledged records. Copying the whole records into a new FasterLog gives a
/// log whose committed tail is exactly the cut. It costs one sequential copy of the log, only after damage (a crash
/// alone leaves nothing to cut: FasterLog never commits past data that is not on disk).
/// <para>
/// Folders under <see cref="ChangeLogOptions.Directory"/>: <c>active/</c> the live log; <c>rebuild/</c> a rewrite in
/// progress, complete once it holds the <c>COMPLETE</c> marker; <c>torn-&lt;utc&gt;/</c> a log that was cut, kept
/// for inspection. The switch is two renames; an interrupted switch is finished (or an unfinished rewrite deleted)
/// at the next open, so a crash at any point leaves either the torn log (cut again) or the rewritten one.
/// </para>
/// </remarks>
internal static class ChangeLogStore
{
    public const string ActiveFolder = "active";
    private const string RebuildFolder = "rebuild";
    private const string CompleteMarker = "COMPLETE";
    private const string LogFileName = "changes.log";

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
            return (log, device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads every record from the log's begin address (or, given a <paramref name="saved"/> map, from the last record
    /// it names) to its committed tail, checking each frame's checksum and that sequences follow one another, and
    /// stops at the first record that fails. Null if the saved map does not match the log (scan again without it).
    /// </summary>
    public static unsafe ScanResult? Scan(FasterLog log, SequenceAddressMap? saved, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var tail = log.TailAddress;
        SequenceAddressMap? map = null;
        ulong last = 0;
        var validEnd = log.BeginAddress;
        long lastAddress = -1;
        long scanned = 0;
        string? torn = null;
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
                byte* entry;
                int length;
                long address;
                long next;
                try
                {
                    if (!iterator.UnsafeGetNext(out entry, out length, out address, out next))
                    {
                        break;
                    }
                }
                catch (FasterException ex)
                {
                    // The iterator met a length that does not fit its page: garbage.
                    torn = ex.Message;
                    break;
                }

                bool ok;
                ulong sequence;
                try
                {
                    ok = LogEntryFrame.TryCheck(new ReadOnlySpan<byte>(entry, length), out sequence);
                }
                finally
                {
                    iterator.UnsafeRelease();
                }

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
                    torn = $"bad checksum at address {address}";
                    break;
                }

                map ??= new SequenceAddressMap(sequence);
                if (last != 0 && sequence != last + 1)
                {
                    torn = $"sequence {sequence} after {last} at address {address}";
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

        if (torn is null && validEnd != tail)
        {
            // The iterator stops quietly at zeroed bytes (it takes them for the padding at a page's end).
            torn = $"no record at address {validEnd}";
        }

        return new ScanResult(map ?? new SequenceAddressMap(1), last, lastAddress, validEnd, tail, torn, scanned, stopwatch.Elapsed);
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

    /// <summary>
    /// Copies the records before <paramref name="validEnd"/> of <paramref name="torn"/> (which is then disposed) into
    /// a fresh log and switches folders, returning the folder the torn log was moved to.
    /// </summary>
    public static async Task<string> RebuildAsync(string root, FasterLog torn, IDevice tornDevice, long validEnd, ChangeLogOptions options, CancellationToken ct)
    {
        var rebuild = Path.Combine(root, RebuildFolder);
        if (Directory.Exists(rebuild))
        {
            Directory.Delete(rebuild, recursive: true);
        }

        try
        {
            var (copy, copyDevice) = await OpenFasterLogAsync(rebuild, options, ct);
            try
            {
                await Task.Run(() => Copy(torn, validEnd, copy), ct);
                await copy.CommitAsync(ct);
            }
            finally
            {
                copy.Dispose();
                copyDevice.Dispose();
            }
        }
        finally
        {
            torn.Dispose();
            tornDevice.Dispose();
        }

        await WriteMarkerAsync(Path.Combine(rebuild, CompleteMarker), ct);
        return SwitchToRebuild(root);
    }

    /// <summary>Finishes a switch a previous run started, or deletes a rewrite it did not complete.</summary>
    public static void RecoverInterruptedRebuild(string root, ILogger logger)
    {
        var rebuild = Path.Combine(root, RebuildFolder);
        if (!Directory.Exists(rebuild))
        {
            return;
        }

        if (File.Exists(Path.Combine(rebuild, CompleteMarker)))
        {
            ChangeLogLog.RebuildResumed(logger, SwitchToRebuild(root));
        }
        else
        {
            ChangeLogLog.RebuildDiscarded(logger, rebuild);
            Directory.Delete(rebuild, recursive: true);
        }
    }

    private static unsafe void Copy(FasterLog from, long until, FasterLog to)
    {
        using var iterator = from.Scan(from.BeginAddress, until, scanBufferingMode: ScanBufferingMode.DoublePageBuffering);
        while (iterator.UnsafeGetNext(out var entry, out var length, out _, out _))
        {
            try
            {
                to.Enqueue(new ReadOnlySpan<byte>(entry, length));
            }
            finally
            {
                iterator.UnsafeRelease();
            }
        }
    }

    private static string SwitchToRebuild(string root)
    {
        var active = Path.Combine(root, ActiveFolder);
        var rebuild = Path.Combine(root, RebuildFolder);
        var tornFolder = Path.Combine(root, "torn-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(active))
        {
            Directory.Move(active, tornFolder);
        }

        Directory.Move(rebuild, active);
        FileSystemSync.SyncDirectory(root);
        File.Delete(Path.Combine(active, CompleteMarker));
        return tornFolder;
    }

    private static async Task WriteMarkerAsync(string path, CancellationToken ct)
    {
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
        {
            await stream.WriteAsync("complete\n"u8.ToArray(), ct);
            stream.Flush(flushToDisk: true);
        }

        FileSystemSync.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}

/// <summary>What the opening scan found.</summary>
/// <param name="Map">Sequence → address of every whole record.</param>
/// <param name="LastSequence">The last whole record's sequence; 0 when none.</param>
/// <param name="LastAddress">The last whole record's address; -1 when none.</param>
/// <param name="ValidEnd">The address after the last whole record.</param>
/// <param name="CommittedTail">FasterLog's recovered (committed) tail.</param>
/// <param name="TornReason">Why the scan stopped before the committed tail; null when it did not.</param>
/// <param name="ScannedRecords">Records read and checked (those after the saved map, if one was used).</param>
internal sealed record ScanResult(
    SequenceAddressMap Map, ulong LastSequence, long LastAddress, long ValidEnd, long CommittedTail, string? TornReason, long ScannedRecords, TimeSpan Elapsed);
