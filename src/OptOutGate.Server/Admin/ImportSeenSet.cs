using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace OptOutGate.Server.Admin;

/// <summary>
/// The (target, recipient) pairs a dry run has counted as added, so that a repeated line counts as already present, as
/// the real run's write would find it. An exact answer needs every distinct pair, and a dry run answers each line at
/// once, so the pairs live in an open-addressing hash table in a temporary file (the engine's scratch folder, on the
/// data folder's disk), read and written with positional reads and writes of a few slots: the process holds two small
/// buffers whatever the number of lines, and the kernel's page cache keeps the file at memory speed while the machine
/// has room (and gives the room back when it needs it: clean or written-back pages, not the process's memory).
/// </summary>
/// <remarks>
/// Why not a library: FASTER (the engine's index) keeps its hash index's overflow buckets in managed memory, about 9
/// bytes per key once a bucket's 7 slots are taken, so its memory still grows with the lines; an external sort of the
/// keys would hold back every dry-run outcome until the last line; a memory-mapped table counts every page it touches in
/// the process's resident set. The table: 16-byte slots (recipient digits, never 0, then the target), linear probing,
/// one read per 8 slots, doubled (a new file, the old one read in order) past 70 % load. 1,000,000 distinct pairs take a
/// 32 MB file; the 10,000,000-line limit at most 256 MB. The file is deleted when the set is disposed (and by the
/// engine's next open after a crash).
/// </remarks>
internal sealed class ImportSeenSet : IDisposable
{
    private const int SlotBytes = 16;
    private const int SlotsPerRead = 8;
    private const long InitialSlots = 1 << 16;
    private const int CopyBufferBytes = 1 << 16;

    private readonly string _directory;
    private readonly byte[] _probe = new byte[SlotBytes * SlotsPerRead];
    private SafeFileHandle? _file;
    private long _slots;
    private long _count;

    public ImportSeenSet(string directory) => _directory = directory;

    /// <summary>Distinct pairs held.</summary>
    public long Count => _count;

    /// <summary>Bytes of the table's file (0 before the first pair).</summary>
    public long FileBytes => _slots * SlotBytes;

    /// <summary>Adds the pair; false when it was already there.</summary>
    public bool Add(int target, ulong recipient)
    {
        ArgumentOutOfRangeException.ThrowIfZero(recipient);
        if (_file is null)
        {
            // Made at the first pair: a dry run whose lines are all invalid or present writes no file.
            _file = Create(InitialSlots);
            _slots = InitialSlots;
        }

        if (!Insert(_file, _slots, recipient, (ulong)target))
        {
            return false;
        }

        _count++;
        if (_count * 10 > _slots * 7)
        {
            Grow();
        }

        return true;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private SafeFileHandle Create(long slots)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "import-" + Guid.NewGuid().ToString("N") + ".seen");
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        try
        {
            // Sparse: blocks are allocated as slots are written, and they read as zeros (empty) until then.
            RandomAccess.SetLength(file, slots * SlotBytes);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private bool Insert(SafeFileHandle file, long slots, ulong recipient, ulong target)
    {
        var mask = slots - 1;
        var slot = (long)(Mix(recipient ^ (target * 0x9E3779B97F4A7C15UL)) & (ulong)mask);
        for (var probed = 0L; probed < slots;)
        {
            var run = (int)Math.Min(SlotsPerRead, slots - slot);
            var span = _probe.AsSpan(0, run * SlotBytes);
            ReadExactly(file, span, slot * SlotBytes);
            for (var i = 0; i < run; i++)
            {
                var at = span.Slice(i * SlotBytes, SlotBytes);
                var held = BinaryPrimitives.ReadUInt64LittleEndian(at);
                if (held == 0)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(at, recipient);
                    BinaryPrimitives.WriteUInt64LittleEndian(at[8..], target);
                    RandomAccess.Write(file, (ReadOnlySpan<byte>)at, (slot + i) * SlotBytes);
                    return true;
                }

                if (held == recipient && BinaryPrimitives.ReadUInt64LittleEndian(at[8..]) == target)
                {
                    return false;
                }
            }

            probed += run;
            slot = (slot + run) & mask;
        }

        // Unreachable below 70 % load; a full table would otherwise loop for ever.
        throw new InvalidOperationException("The import's set of counted recipients is full.");
    }

    private void Grow()
    {
        var old = _file!;
        var oldSlots = _slots;
        var grownSlots = oldSlots * 2;
        var grown = Create(grownSlots);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            for (long offset = 0, end = oldSlots * SlotBytes; offset < end; offset += CopyBufferBytes)
            {
                var span = buffer.AsSpan(0, (int)Math.Min(CopyBufferBytes, end - offset));
                ReadExactly(old, span, offset);
                for (var at = 0; at < span.Length; at += SlotBytes)
                {
                    var recipient = BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
                    if (recipient != 0)
                    {
                        Insert(grown, grownSlots, recipient, BinaryPrimitives.ReadUInt64LittleEndian(span[(at + 8)..]));
                    }
                }
            }
        }
        catch
        {
            grown.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _file = grown;
        _slots = grownSlots;
        old.Dispose();
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new IOException("The import's set of counted recipients ended early (its temporary file was cut).");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    // Neighbouring numbers (a list sorted by number) must not fill neighbouring slots: murmur3's 64-bit finalizer.
    private static ulong Mix(ulong key)
    {
        key ^= key >> 33;
        key *= 0xFF51AFD7ED558CCDUL;
        key ^= key >> 33;
        key *= 0xC4CEB9FE1A85EC53UL;
        key ^= key >> 33;
        return key;
    }
}
