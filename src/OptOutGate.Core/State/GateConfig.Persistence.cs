using Google.Protobuf;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Core.State;

internal sealed partial class GateConfig
{
    private const uint FileMagic = 0x43464731; // "CFG1"

    /// <summary>Writes the whole configuration (fsync'ed). Call with the applier paused.</summary>
    public void Save(string path) => StateFile.Write(path, FileMagic, writer =>
    {
        WriteMessages(writer, _addresses, static k => k.Tenant);
        WriteMessages(writer, _rules, static k => k.Tenant);
        WriteMessages(writer, _policies, static k => k);

        var windows = _windows.ToArray();
        writer.Write(windows.Length);
        foreach (var (key, window) in windows)
        {
            writer.Write(key.Recipient);
            writer.Write(key.SenderScopeId);
            writer.Write(key.TenantId);
            writer.Write(window.ExpireTime.Ticks);
            writer.Write(window.Used);
            writer.Write(window.OpenedBySequence);
        }
    });

    public static GateConfig Load(string path) => StateFile.Read(path, FileMagic, reader =>
    {
        var config = new GateConfig();
        foreach (var (tenant, address) in ReadMessages(reader, InboundAddress.Parser))
        {
            config._addresses[(tenant, address.Sender)] = address;
        }

        foreach (var (tenant, rule) in ReadMessages(reader, BlockingRule.Parser))
        {
            config._rules[(tenant, rule.Sender, rule.App)] = rule;
        }

        foreach (var (tenant, policy) in ReadMessages(reader, TenantPolicy.Parser))
        {
            config._policies[tenant] = policy;
        }

        var windowCount = reader.ReadInt32();
        var windows = new List<(ConfirmationKey Key, ConfirmationWindowState Window)>(windowCount);
        for (var i = 0; i < windowCount; i++)
        {
            var key = new ConfirmationKey(reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt32());
            var window = new ConfirmationWindowState(new DateTime(reader.ReadInt64(), DateTimeKind.Utc), reader.ReadBoolean(), reader.ReadUInt64());
            windows.Add((key, window));
        }

        // Re-queue in opening order so pruning behaves as it did before the checkpoint.
        windows.Sort(static (a, b) => a.Window.OpenedBySequence.CompareTo(b.Window.OpenedBySequence));
        foreach (var (key, window) in windows)
        {
            config._windows[key] = window;
            config._windowExpiries.Enqueue((key, window.ExpireTime));
        }

        return config;
    });

    private static void WriteMessages<TKey, TMessage>(BinaryWriter writer, IEnumerable<KeyValuePair<TKey, TMessage>> items, Func<TKey, string> tenantOf)
        where TMessage : IMessage
    {
        var array = items.ToArray();
        writer.Write(array.Length);
        foreach (var (key, message) in array)
        {
            writer.Write(tenantOf(key));
            var bytes = message.ToByteArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }

    private static List<(string Tenant, T Message)> ReadMessages<T>(BinaryReader reader, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var count = reader.ReadInt32();
        var list = new List<(string, T)>(count);
        for (var i = 0; i < count; i++)
        {
            var tenant = reader.ReadString();
            var length = reader.ReadInt32();
            list.Add((tenant, parser.ParseFrom(reader.ReadBytes(length))));
        }

        return list;
    }
}
