using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Mo;

// The snapshot: the folded state as of FoldedSequence (pending claims and in-memory-only messages are not part of it).
internal sealed partial class MoLedger
{
    // "MOL2": the ordering state per recipient and scope. A file of the first format ("MOLG") is not used: the
    // ledger is rebuilt from the log, as for any unusable snapshot.
    private const uint FileMagic = 0x4D4F4C32;

    /// <summary>
    /// Writes the folded state as of <see cref="FoldedSequence"/> to <paramref name="path"/> (through a temporary file,
    /// fsync'ed, then renamed over the old one) and returns that sequence. Records folded early (by
    /// <see cref="Complete"/>) are committed, so a snapshot holding them is still exact: folding them again is a no-op.
    /// </summary>
    public ulong Save(string path)
    {
        KeyValuePair<UInt128, SeenMo>[] messages;
        KeyValuePair<UInt128, SeenMo>[] contents;
        KeyValuePair<(string Tenant, ulong Recipient), RecipientOrder>[] order;
        (string Tenant, bool Resolved, byte[] Item)[] reviewItems;
        (string Tenant, byte[] Request)[] removals;
        ulong folded;
        lock (_lock)
        {
            folded = _folded;
            messages = [.. _messages];
            contents = [.. _contents];
            order = [.. _order.Select(static p => KeyValuePair.Create(p.Key, p.Value.Clone()))];
            reviewItems = [.. _reviewItems.Values.Select(static s => (s.Tenant, s.Resolved, s.Item.ToByteArray()))];
            removals = [.. _removals.Values.Select(static s => (s.Tenant, s.Request.ToByteArray()))];
        }

        var temporary = path + ".tmp";
        StateFile.Write(temporary, FileMagic, writer =>
        {
            writer.Write(folded);
            WriteSeen(writer, messages);
            WriteSeen(writer, contents);
            writer.Write(order.Length);
            foreach (var (key, value) in order)
            {
                writer.Write(key.Tenant);
                writer.Write(key.Recipient);
                value.Write(writer);
            }

            writer.Write(reviewItems.Length);
            foreach (var (tenant, resolved, item) in reviewItems)
            {
                writer.Write(tenant);
                writer.Write(resolved);
                writer.Write(item.Length);
                writer.Write(item);
            }

            writer.Write(removals.Length);
            foreach (var (tenant, request) in removals)
            {
                writer.Write(tenant);
                writer.Write(request.Length);
                writer.Write(request);
            }
        });
        File.Move(temporary, path, overwrite: true);
        return folded;
    }

    /// <summary>Loads a snapshot; the ledger then reflects every record up to the returned <see cref="FoldedSequence"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a complete snapshot.</exception>
    public static MoLedger Load(string path, TimeSpan window) => StateFile.Read(path, FileMagic, reader =>
    {
        var ledger = new MoLedger(window);
        ledger._folded = reader.ReadUInt64();
        ReadSeen(reader, ledger._messages);
        ReadSeen(reader, ledger._contents);
        var orderCount = reader.ReadInt32();
        for (var i = 0; i < orderCount; i++)
        {
            var key = (reader.ReadString(), reader.ReadUInt64());
            ledger._order[key] = RecipientOrder.Read(reader);
        }

        var reviewCount = reader.ReadInt32();
        for (var i = 0; i < reviewCount; i++)
        {
            var tenant = reader.ReadString();
            var resolved = reader.ReadBoolean();
            var item = ReviewItem.Parser.ParseFrom(reader.ReadBytes(reader.ReadInt32()));
            ledger._reviewItems[item.Id] = new ReviewItemState(tenant, item) { Resolved = resolved };
        }

        var removalCount = reader.ReadInt32();
        for (var i = 0; i < removalCount; i++)
        {
            var tenant = reader.ReadString();
            var request = RemovalRequest.Parser.ParseFrom(reader.ReadBytes(reader.ReadInt32()));
            ledger._removals[request.Id] = new RemovalState(tenant, request);
        }

        return ledger;
    });

    private static void WriteSeen(BinaryWriter writer, KeyValuePair<UInt128, SeenMo>[] map)
    {
        writer.Write(map.Length);
        foreach (var (key, seen) in map)
        {
            writer.Write((ulong)(key >> 64));
            writer.Write((ulong)key);
            writer.Write(seen.Sequence);
            writer.Write(seen.ReceiveTicks);
            writer.Write((byte)seen.Action);
        }
    }

    private static void ReadSeen(BinaryReader reader, Dictionary<UInt128, SeenMo> map)
    {
        var count = reader.ReadInt32();
        map.EnsureCapacity(count);
        for (var i = 0; i < count; i++)
        {
            var key = new UInt128(reader.ReadUInt64(), reader.ReadUInt64());
            map[key] = new SeenMo(reader.ReadUInt64(), reader.ReadInt64(), (MoAction)reader.ReadByte());
        }
    }
}
