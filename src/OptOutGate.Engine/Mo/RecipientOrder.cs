using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// The ordering state of one recipient of one tenant: per scope ("" = tenant-wide, else the sender), the latest opt-out
/// or opt-in event of any source, and the latest opt-in the recipient sent there by MO (which decides whether a
/// tenant-wide opt-out still blocks at that address). Folded from records in any order (each value is a maximum), so
/// a record folded twice or late changes nothing. A few scopes per recipient: a list, not a dictionary.
/// </summary>
internal sealed class RecipientOrder
{
    private readonly List<ScopeOrder> _scopes = new(1);

    public IReadOnlyList<ScopeOrder> Scopes => _scopes;

    /// <summary>The receive time of the newest record folded (for pruning after the ledger's window).</summary>
    public long ReceiveTicks { get; private set; }

    public RecipientOrder Clone()
    {
        var copy = new RecipientOrder { ReceiveTicks = ReceiveTicks };
        foreach (var scope in _scopes)
        {
            copy._scopes.Add(scope with { });
        }

        return copy;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(ReceiveTicks);
        writer.Write(_scopes.Count);
        foreach (var scope in _scopes)
        {
            writer.Write(scope.Sender);
            WriteEvent(writer, scope.Latest);
            WriteEvent(writer, scope.LatestOptIn);
            writer.Write(scope.LatestOptInCarrierMessageId);
        }
    }

    public static RecipientOrder Read(BinaryReader reader)
    {
        var order = new RecipientOrder { ReceiveTicks = reader.ReadInt64() };
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            order._scopes.Add(new ScopeOrder(reader.ReadString())
            {
                Latest = ReadEvent(reader),
                LatestOptIn = ReadEvent(reader),
                LatestOptInCarrierMessageId = reader.ReadString(),
            });
        }

        return order;
    }

    public ScopeOrder? Find(string scopeSender)
    {
        foreach (var scope in _scopes)
        {
            if (string.Equals(scope.Sender, scopeSender, StringComparison.Ordinal))
            {
                return scope;
            }
        }

        return null;
    }

    /// <summary>Folds an opt-out, opt-in or removal record of this recipient; false when it is none (or app-scoped).</summary>
    public bool Fold(ChangeRecord record, long receiveTicks)
    {
        if (!KeywordEvent.TryFrom(record, out var keywordEvent)
            || !EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app)
            || app.Length != 0)
        {
            return false;
        }

        var scope = Find(sender);
        if (scope is null)
        {
            scope = new ScopeOrder(sender);
            _scopes.Add(scope);
        }

        scope.Latest = scope.Latest is { } latest ? KeywordEvent.Max(latest, keywordEvent) : keywordEvent;
        if (record.Action == ChangeAction.OptIn && record.Source == Source.MoKeyword && sender.Length != 0)
        {
            scope.LatestOptIn = scope.LatestOptIn is { } optIn ? KeywordEvent.Max(optIn, keywordEvent) : keywordEvent;
            if (scope.LatestOptIn == keywordEvent)
            {
                scope.LatestOptInCarrierMessageId = record.CarrierMessageId;
            }
        }

        ReceiveTicks = Math.Max(ReceiveTicks, receiveTicks);
        return true;
    }

    private static void WriteEvent(BinaryWriter writer, KeywordEvent? keywordEvent)
    {
        writer.Write(keywordEvent.HasValue);
        if (keywordEvent is { } e)
        {
            writer.Write(e.Ticks);
            writer.Write(e.OptOut);
            writer.Write(e.CurrentSequence);
        }
    }

    private static KeywordEvent? ReadEvent(BinaryReader reader) =>
        reader.ReadBoolean() ? new KeywordEvent(reader.ReadInt64(), reader.ReadBoolean(), reader.ReadUInt64()) : null;
}

/// <summary>The latest event of one scope of a recipient, and (sender scopes) the recipient's latest MO opt-in there.</summary>
internal sealed record ScopeOrder(string Sender)
{
    public KeywordEvent? Latest { get; set; }

    public KeywordEvent? LatestOptIn { get; set; }

    public string LatestOptInCarrierMessageId { get; set; } = "";
}
