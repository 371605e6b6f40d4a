using System.Globalization;
using System.Text.Json;
using FASTER.core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// Cutting a damaged change log, only when the operator asks for it (<see cref="ChangeLogOptions.CutAtSequence"/>):
/// the whole records before the damage are copied into a fresh log, every sequence number the cut part may have held
/// is given to an empty placeholder record (so no number is ever given twice: replicas and change-stream consumers
/// may have seen them), and the log as it was moves to <c>cut-&lt;utc time&gt;/</c>.
/// </summary>
/// <remarks>
/// Why a rewrite: FasterLog has no tail truncation, and its recovered tail is the committed tail from its commit
/// metadata, so appending after damage would leave it between old and new records. Folders under the log's folder:
/// <c>active/</c> the live log; <c>rebuild/</c> a rewrite in progress, complete once it holds the <c>COMPLETE</c>
/// marker; <c>cut-&lt;utc&gt;/</c> the log as it was before a cut. The switch is two renames; an interrupted switch is
/// finished (or an unfinished rewrite deleted) at the next open. The rewritten log carries <see cref="MarkerFile"/>
/// until the engine has discarded the checkpoints that hold the lost records' effects.
/// </remarks>
internal static class ChangeLogCut
{
    /// <summary>In <c>active/</c> after a cut: which sequences were lost, when, and where the old log went.</summary>
    public const string MarkerFile = "cut.json";

    /// <summary>The reason placeholder records carry.</summary>
    public const string PlaceholderReason =
        "Lost when the operator cut the damaged change log (Engine:CutLogAtSequence); the sequence number is kept so that it is never given twice.";

    private const string RebuildFolder = "rebuild";
    private const string CompleteMarker = "COMPLETE";

    // The least a record takes on disk: FasterLog's 4-byte length and the frame's 12-byte header (LogEntryFrame).
    private const int MinRecordBytes = 4 + LogEntryFrame.HeaderSize;

    /// <summary>Placeholder records (a cut's lost sequence numbers) name no tenant and do nothing.</summary>
    public static bool IsPlaceholder(ChangeRecord record) => record.Action == ChangeAction.Unspecified && record.TenantId.Length == 0;

    /// <summary>
    /// Cuts <paramref name="damaged"/> (disposed here) at <paramref name="cutAddress"/>, where the record of
    /// <paramref name="firstLost"/> starts; returns what was cut once the new log is the active one.
    /// </summary>
    public static async Task<LogCut> CutAsync(
        string root, FasterLog damaged, IDevice damagedDevice, long cutAddress, ulong firstLost, Timestamp receiveTime, ChangeLogOptions options, CancellationToken ct)
    {
        var rebuild = Path.Combine(root, RebuildFolder);
        if (Directory.Exists(rebuild))
        {
            Directory.Delete(rebuild, recursive: true);
        }

        ulong lastLost;
        try
        {
            lastLost = LastPossibleSequence(damaged, cutAddress, firstLost);
            var (copy, copyDevice) = await ChangeLogStore.OpenFasterLogAsync(rebuild, options, ct);
            try
            {
                await Task.Run(() => CopyAndPlaceholders(damaged, cutAddress, copy, firstLost, lastLost, receiveTime), ct);
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
            damaged.Dispose();
            damagedDevice.Dispose();
        }

        var at = DateTimeOffset.UtcNow;
        var keptIn = Path.Combine(root, "cut-" + at.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture));
        var cut = new LogCut(firstLost, lastLost, at, keptIn);
        WriteMarker(Path.Combine(rebuild, MarkerFile), JsonSerializer.SerializeToUtf8Bytes(cut));
        WriteMarker(Path.Combine(rebuild, CompleteMarker), "complete\n"u8.ToArray());
        Switch(root, keptIn);
        return cut;
    }

    /// <summary>The cut recorded in <paramref name="activeFolder"/>, until <see cref="Acknowledge"/>; null when none.</summary>
    public static LogCut? ReadMarker(string activeFolder)
    {
        var path = Path.Combine(activeFolder, MarkerFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<LogCut>(File.ReadAllBytes(path)) : null;
    }

    /// <summary>Removes the marker once the engine has dealt with the cut's consequences (it is durable when this returns).</summary>
    public static void Acknowledge(string activeFolder)
    {
        File.Delete(Path.Combine(activeFolder, MarkerFile));
        FileSystemSync.SyncDirectory(activeFolder);
    }

    /// <summary>Finishes a switch a previous run started, or deletes a rewrite it did not complete.</summary>
    public static void RecoverInterruptedRebuild(string root, ILogger logger)
    {
        var rebuild = Path.Combine(root, RebuildFolder);
        if (!Directory.Exists(rebuild))
        {
            return;
        }

        if (File.Exists(Path.Combine(rebuild, CompleteMarker)) && ReadMarker(rebuild) is { } cut)
        {
            Switch(root, cut.KeptIn);
            ChangeLogLog.RebuildResumed(logger, cut.KeptIn);
        }
        else
        {
            ChangeLogLog.RebuildDiscarded(logger, rebuild);
            Directory.Delete(rebuild, recursive: true);
        }
    }

    /// <summary>
    /// The highest sequence the part from <paramref name="cutAddress"/> to the committed tail may hold: one per entry
    /// FasterLog's framing still shows, and one per <see cref="MinRecordBytes"/> bytes of whatever lies between or after
    /// them (zeroed or garbled framing; the padding at a page's end counts too, which only overestimates): an upper
    /// bound, since a number is better left unused than given twice.
    /// </summary>
    private static ulong LastPossibleSequence(FasterLog log, long cutAddress, ulong firstLost)
    {
        var tail = log.TailAddress;
        long entries = 0;
        long unknown = 0;
        var expected = cutAddress;
        var highestSeen = firstLost - 1;
        using (var iterator = log.Scan(cutAddress, tail, scanBufferingMode: ScanBufferingMode.SinglePageBuffering))
        {
            // A framing error ends the walk: the rest counts as unknown.
            for (var frame = LogFrameReader.Next(iterator); frame.Kind == LogFrameKind.Entry; frame = LogFrameReader.Next(iterator))
            {
                entries++;
                unknown += Math.Max(0, frame.Address - expected);
                expected = frame.Next;
                if (frame.Whole)
                {
                    highestSeen = Math.Max(highestSeen, frame.Sequence);
                }
            }
        }

        unknown += Math.Max(0, tail - expected);
        var bound = firstLost - 1 + (ulong)entries + (ulong)((unknown + MinRecordBytes - 1) / MinRecordBytes);
        return Math.Max(Math.Max(bound, highestSeen), firstLost);
    }

    private static unsafe void CopyAndPlaceholders(FasterLog from, long until, FasterLog to, ulong firstLost, ulong lastLost, Timestamp receiveTime)
    {
        using (var iterator = from.Scan(from.BeginAddress, until, scanBufferingMode: ScanBufferingMode.DoublePageBuffering))
        {
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

        var buffer = new byte[1024];
        for (var sequence = firstLost; sequence <= lastLost; sequence++)
        {
            var placeholder = new LogEntry { Record = new ChangeRecord { Sequence = sequence, ReceiveTime = receiveTime, Reason = PlaceholderReason } };
            var size = placeholder.CalculateSize();
            LogEntryFrame.Write(buffer, sequence, placeholder, size);
            to.Enqueue(buffer.AsSpan(0, LogEntryFrame.HeaderSize + size));
        }
    }

    private static void Switch(string root, string keptIn)
    {
        var active = Path.Combine(root, ChangeLogStore.ActiveFolder);
        var rebuild = Path.Combine(root, RebuildFolder);
        if (Directory.Exists(active))
        {
            Directory.Move(active, keptIn);
        }

        Directory.Move(rebuild, active);
        FileSystemSync.SyncDirectory(root);
        File.Delete(Path.Combine(active, CompleteMarker));
    }

    private static void WriteMarker(string path, byte[] content)
    {
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        FileSystemSync.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}

/// <summary>A cut of the change log: sequences <see cref="FirstLost"/>..<see cref="LastLost"/> lost, the old log kept in <see cref="KeptIn"/>.</summary>
internal sealed record LogCut(ulong FirstLost, ulong LastLost, DateTimeOffset At, string KeptIn);
