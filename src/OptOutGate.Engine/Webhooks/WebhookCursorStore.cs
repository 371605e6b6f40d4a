using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Webhooks;

/// <summary>
/// The durable delivery cursors of the webhook subscriptions, one small file per subscription in
/// <c>&lt;data&gt;/webhooks/</c>. Each file has two 32-byte slots written alternately (a version counter, the cursor, the
/// failing mark, a CRC-32C), so a write torn by a crash leaves the other slot, one acknowledgement older, to read:
/// at least once, never a lost event.
/// </summary>
/// <remarks>
/// Durability: <see cref="Write"/> returns once the slot is in the operating system's page cache, which survives the
/// process being killed (SIGKILL, a crash): a restarted gate resends only what the receiver had not acknowledged. The
/// files are fsync'ed by <see cref="Flush"/> (the delivery side calls it every second and at shutdown), so a machine
/// crash can resend at most about a second of acknowledged events, never skip one. An fsync per acknowledgement would
/// cap a subscription at a few hundred deliveries a second on this kind of disk for no gain in the process-crash case.
/// Hand-written: no kept library stores a few bytes per key with this guarantee; the FASTER log is the product's data,
/// and writing a cursor record into it per delivery would double its writes and show in the history.
/// </remarks>
internal sealed class WebhookCursorStore : IDisposable
{
    private const int SlotSize = 32;
    private const uint Magic = 0x57484331; // "WHC1"

    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CursorFile> _files = new(StringComparer.Ordinal);

    public WebhookCursorStore(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, DataLayout.Webhooks);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>The stored cursor of a subscription; false when it has none yet (a new subscription, or a new primary).</summary>
    /// <exception cref="InvalidDataException">Neither slot of the file is whole: the file was damaged (not by a crash, which tears one slot at most).</exception>
    public bool TryRead(string subscriptionId, out WebhookCursor cursor)
    {
        lock (_lock)
        {
            var file = Open(subscriptionId, create: false);
            if (file?.Current is not { } stored)
            {
                cursor = default;
                return false;
            }

            cursor = stored;
            return true;
        }
    }

    /// <summary>Stores the cursor (in the page cache when this returns; see the remarks for when it is on disk).</summary>
    public void Write(string subscriptionId, WebhookCursor cursor)
    {
        lock (_lock)
        {
            Open(subscriptionId, create: true)!.Write(cursor);
        }
    }

    /// <summary>fsyncs every cursor written since the last flush.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            foreach (var file in _files.Values)
            {
                file.Flush();
            }
        }
    }

    /// <summary>Removes a deleted subscription's cursor.</summary>
    public void Delete(string subscriptionId)
    {
        lock (_lock)
        {
            if (_files.Remove(subscriptionId, out var file))
            {
                file.Dispose();
            }

            File.Delete(PathOf(subscriptionId));
        }
    }

    /// <summary>The ids of every stored cursor (to drop those of subscriptions deleted while this node was down).</summary>
    public IReadOnlyList<string> StoredIds()
    {
        var ids = new List<string>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*.cursor"))
        {
            ids.Add(Path.GetFileNameWithoutExtension(path));
        }

        return ids;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var file in _files.Values)
            {
                file.Flush();
                file.Dispose();
            }

            _files.Clear();
        }
    }

    private string PathOf(string subscriptionId)
    {
        // Ids are made by the gate ("wh_" and hex digits); anything else could step out of the folder.
        foreach (var c in subscriptionId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                throw new ArgumentException($"Not a webhook subscription id: '{subscriptionId}'.", nameof(subscriptionId));
            }
        }

        return Path.Combine(_directory, subscriptionId + ".cursor");
    }

    private CursorFile? Open(string subscriptionId, bool create)
    {
        if (_files.TryGetValue(subscriptionId, out var file))
        {
            return file;
        }

        var path = PathOf(subscriptionId);
        if (!create && !File.Exists(path))
        {
            return null;
        }

        file = new CursorFile(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
        _files[subscriptionId] = file;
        return file;
    }

    private sealed class CursorFile : IDisposable
    {
        private readonly SafeFileHandle _handle;
        private readonly byte[] _slot = new byte[SlotSize];
        private ulong _version;
        private bool _dirty;

        public CursorFile(SafeFileHandle handle, string path)
        {
            _handle = handle;
            _version = Load(handle, path, out var current);
            Current = current;
        }

        /// <summary>The cursor last written; null for a file created but never written (a crash right after creating it).</summary>
        public WebhookCursor? Current { get; private set; }

        public void Write(WebhookCursor cursor)
        {
            _version++;
            BinaryPrimitives.WriteUInt32LittleEndian(_slot, Magic);
            BinaryPrimitives.WriteUInt64LittleEndian(_slot.AsSpan(4), _version);
            BinaryPrimitives.WriteUInt64LittleEndian(_slot.AsSpan(12), cursor.DeliveredSequence);
            BinaryPrimitives.WriteInt64LittleEndian(_slot.AsSpan(20), cursor.FailingSinceTicks);
            BinaryPrimitives.WriteUInt32LittleEndian(_slot.AsSpan(28), LogEntryFrame.Crc32C(_slot.AsSpan(0, 28)));
            RandomAccess.Write(_handle, _slot, (long)(_version % 2) * SlotSize);
            Current = cursor;
            _dirty = true;
        }

        public void Flush()
        {
            if (_dirty)
            {
                RandomAccess.FlushToDisk(_handle);
                _dirty = false;
            }
        }

        public void Dispose() => _handle.Dispose();

        private static ulong Load(SafeFileHandle handle, string path, out WebhookCursor? cursor)
        {
            var length = RandomAccess.GetLength(handle);
            cursor = null;
            if (length == 0)
            {
                return 0;
            }

            Span<byte> bytes = stackalloc byte[SlotSize * 2];
            var read = RandomAccess.Read(handle, bytes, 0);
            ulong best = 0;
            var found = false;
            for (var slot = 0; slot < 2; slot++)
            {
                var s = bytes.Slice(slot * SlotSize, SlotSize);
                if ((slot + 1) * SlotSize > read || BinaryPrimitives.ReadUInt32LittleEndian(s) != Magic
                    || BinaryPrimitives.ReadUInt32LittleEndian(s[28..]) != LogEntryFrame.Crc32C(s[..28]))
                {
                    continue;
                }

                var version = BinaryPrimitives.ReadUInt64LittleEndian(s[4..]);
                if (!found || version > best)
                {
                    found = true;
                    best = version;
                    cursor = new WebhookCursor(BinaryPrimitives.ReadUInt64LittleEndian(s[12..]), BinaryPrimitives.ReadInt64LittleEndian(s[20..]));
                }
            }

            return found ? best : throw new InvalidDataException($"{path}: no whole cursor slot; the file is damaged.");
        }
    }
}
