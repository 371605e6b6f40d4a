using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The newest applied history record per (tenant, recipient) and per (tenant, sender): the heads of the back-pointer
/// chains in <see cref="Log.LogEntry"/> (previous_for_recipient, previous_for_sender). History by recipient or
/// sender starts at a head and walks backwards. Changed only by <see cref="GateStateApplier"/>; read lock-free.
/// The write pipeline keeps its own heads for records not yet applied (Writes/WriteOverlay) and falls back to these.
/// </summary>
/// <remarks>
/// There is a head per recipient that ever had a record (10 million after a 10-million-entry import), so those live in
/// a <see cref="SingleWriterMap{TKey, TValue}"/> (one 32-byte slot each, no object per head); senders are few.
/// </remarks>
internal sealed class HistoryHeads
{
    private const uint FileMagic = 0x48454144; // "HEAD"
    private const int RecipientRecord = 20;
    private const int BlockRecords = 4096;

    private readonly SingleWriterMap<RecipientHeadKey, ulong> _byRecipient;

    // Senders are few and every record advances one: an update writes the box, and only a new sender adds to the map
    // (a ConcurrentDictionary update locks a stripe; measured 450 ns per record here, half the cost of applying one).
    private readonly ConcurrentDictionary<(uint TenantId, string Sender), SenderHead> _bySender = new();

    public HistoryHeads()
        : this(0)
    {
    }

    private HistoryHeads(int recipients) => _byRecipient = new SingleWriterMap<RecipientHeadKey, ulong>(recipients);

    /// <summary>Recipients with a head.</summary>
    public int RecipientCount => _byRecipient.Count;

    /// <summary>Sequence of the newest applied record of (tenant, recipient); 0 = none.</summary>
    public ulong GetRecipientHead(uint tenantId, ulong recipient) =>
        _byRecipient.TryGetValue(new RecipientHeadKey(tenantId, recipient), out var sequence) ? sequence : 0;

    /// <summary>Sequence of the newest applied record of (tenant, sender); 0 = none.</summary>
    public ulong GetSenderHead(uint tenantId, string sender) =>
        _bySender.TryGetValue((tenantId, sender), out var head) ? Volatile.Read(ref head.Sequence) : 0;

    internal void AdvanceRecipient(uint tenantId, ulong recipient, ulong sequence) => _byRecipient.Set(new RecipientHeadKey(tenantId, recipient), sequence);

    internal void AdvanceSender(uint tenantId, string sender, ulong sequence)
    {
        if (_bySender.TryGetValue((tenantId, sender), out var head))
        {
            Volatile.Write(ref head.Sequence, sequence);
        }
        else
        {
            _bySender[(tenantId, sender)] = new SenderHead { Sequence = sequence };
        }
    }

    /// <summary>Writes the heads (fsync'ed). Call with the applier paused.</summary>
    public void Save(string path) => StateFile.Write(path, FileMagic, writer =>
    {
        // Records of 20 bytes (tenant id, recipient, sequence), written in blocks: 10 million of them per checkpoint.
        writer.Write(_byRecipient.Count);
        var block = new byte[RecipientRecord * BlockRecords];
        var filled = 0;
        var written = 0;
        foreach (var (key, sequence) in _byRecipient.Entries())
        {
            var record = block.AsSpan(filled * RecipientRecord, RecipientRecord);
            BinaryPrimitives.WriteUInt32LittleEndian(record, key.TenantId);
            BinaryPrimitives.WriteUInt64LittleEndian(record[4..], key.Recipient);
            BinaryPrimitives.WriteUInt64LittleEndian(record[12..], sequence);
            written++;
            if (++filled == BlockRecords)
            {
                writer.Write(block);
                filled = 0;
            }
        }

        writer.Write(block, 0, filled * RecipientRecord);
        if (written != _byRecipient.Count)
        {
            throw new InvalidOperationException($"History heads changed while saved ({written} of {_byRecipient.Count}).");
        }

        var senders = _bySender.ToArray();
        writer.Write(senders.Length);
        foreach (var (key, head) in senders)
        {
            writer.Write(key.TenantId);
            writer.Write(key.Sender);
            writer.Write(Volatile.Read(ref head.Sequence));
        }
    });

    /// <summary>
    /// Loads heads written by <see cref="Save"/>. The map is sized for the saved count, and Save wrote the recipients in
    /// slot order of a map that size, so they go in nearly sequentially (measured: 10 million in well under a second).
    /// </summary>
    public static HistoryHeads Load(string path) => StateFile.Read(path, FileMagic, reader =>
    {
        var recipientCount = reader.ReadInt32();
        if (recipientCount < 0)
        {
            throw new InvalidDataException($"{path}: negative recipient count.");
        }

        // An eighth more room than loaded: new recipients after a restart do not rebuild the map (about a second of
        // the applier's time at 10 million) until there are that many more.
        var heads = new HistoryHeads(recipientCount + (recipientCount / 8));
        var block = new byte[RecipientRecord * BlockRecords];
        for (var remaining = recipientCount; remaining > 0;)
        {
            var records = Math.Min(remaining, BlockRecords);
            var bytes = block.AsSpan(0, records * RecipientRecord);
            reader.BaseStream.ReadExactly(bytes);
            for (var i = 0; i < records; i++)
            {
                var record = bytes.Slice(i * RecipientRecord, RecipientRecord);
                heads._byRecipient.Set(
                    new RecipientHeadKey(BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt64LittleEndian(record[4..])),
                    BinaryPrimitives.ReadUInt64LittleEndian(record[12..]));
            }

            remaining -= records;
        }

        var senderCount = reader.ReadInt32();
        for (var i = 0; i < senderCount; i++)
        {
            heads._bySender[(reader.ReadUInt32(), reader.ReadString())] = new SenderHead { Sequence = reader.ReadUInt64() };
        }

        return heads;
    });

    private sealed class SenderHead
    {
        public ulong Sequence;
    }
}
