using System.Collections.Concurrent;

namespace OptOutGate.Core.State;

/// <summary>
/// The newest applied history record per (tenant, recipient) and per (tenant, sender): the heads of the back-pointer
/// chains in <see cref="Durability.LogEntry"/> (previous_for_recipient, previous_for_sender). History by recipient or
/// sender starts at a head and walks backwards. Changed only by <see cref="GateStateApplier"/>; read lock-free.
/// The write pipeline keeps its own heads for records not yet applied (Writes/WriteOverlay) and falls back to these.
/// </summary>
internal sealed class HistoryHeads
{
    private const uint FileMagic = 0x48454144; // "HEAD"

    private readonly ConcurrentDictionary<(uint TenantId, ulong Recipient), ulong> _byRecipient = new();
    private readonly ConcurrentDictionary<(uint TenantId, string Sender), ulong> _bySender = new();

    /// <summary>Sequence of the newest applied record of (tenant, recipient); 0 = none.</summary>
    public ulong GetRecipientHead(uint tenantId, ulong recipient) =>
        _byRecipient.TryGetValue((tenantId, recipient), out var sequence) ? sequence : 0;

    /// <summary>Sequence of the newest applied record of (tenant, sender); 0 = none.</summary>
    public ulong GetSenderHead(uint tenantId, string sender) =>
        _bySender.TryGetValue((tenantId, sender), out var sequence) ? sequence : 0;

    internal void AdvanceRecipient(uint tenantId, ulong recipient, ulong sequence) => _byRecipient[(tenantId, recipient)] = sequence;

    internal void AdvanceSender(uint tenantId, string sender, ulong sequence) => _bySender[(tenantId, sender)] = sequence;

    /// <summary>Writes the heads (fsync'ed). Call with the applier paused.</summary>
    public void Save(string path) => StateFile.Write(path, FileMagic, writer =>
    {
        var recipients = _byRecipient.ToArray();
        writer.Write(recipients.Length);
        foreach (var (key, sequence) in recipients)
        {
            writer.Write(key.TenantId);
            writer.Write(key.Recipient);
            writer.Write(sequence);
        }

        var senders = _bySender.ToArray();
        writer.Write(senders.Length);
        foreach (var (key, sequence) in senders)
        {
            writer.Write(key.TenantId);
            writer.Write(key.Sender);
            writer.Write(sequence);
        }
    });

    public static HistoryHeads Load(string path) => StateFile.Read(path, FileMagic, reader =>
    {
        var heads = new HistoryHeads();
        var recipientCount = reader.ReadInt32();
        for (var i = 0; i < recipientCount; i++)
        {
            heads._byRecipient[(reader.ReadUInt32(), reader.ReadUInt64())] = reader.ReadUInt64();
        }

        var senderCount = reader.ReadInt32();
        for (var i = 0; i < senderCount; i++)
        {
            heads._bySender[(reader.ReadUInt32(), reader.ReadString())] = reader.ReadUInt64();
        }

        return heads;
    });
}
