namespace OptOutGate.Engine;

/// <summary>
/// What the engine keeps where under its data folder (<see cref="GateEngineOptions.DataDirectory"/>; nothing else may
/// write there). One list, so that the parts that must agree on a path (the cut that discards the MO ledger's
/// snapshot, the ledger that writes it) name it from one place.
/// </summary>
internal static class DataLayout
{
    /// <summary>The change log, the source of truth (<c>log/active/</c>; <c>log/cut-&lt;utc time&gt;/</c> after an operator's cut).</summary>
    public const string Log = "log";

    /// <summary>The entry index: FASTER's log and its checkpoints, and the recipient filter.</summary>
    public const string Index = "index";

    /// <summary><c>checkpoints/&lt;N&gt;/</c>: scope table, configuration and history heads as of sequence N, and the manifest that makes the checkpoint count.</summary>
    public const string Checkpoints = "checkpoints";

    /// <summary>A replica bootstrapped from a snapshot: <c>snapshot/base.bin</c>, the snapshot's state and its entries' records.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>The MO ledger (recent messages, removal requests, review queue), state derived from the log like the index.</summary>
    public const string Mo = "mo";

    /// <summary>
    /// The webhook subscriptions' delivery cursors on the primary, <c>webhooks/&lt;subscription id&gt;.cursor</c>
    /// (Webhooks/WebhookCursorStore): node-local, like the state the delivery workers keep.
    /// </summary>
    public const string Webhooks = "webhooks";

    /// <summary>
    /// <c>tenancy/account-lists.json</c>: the list each account used at the primary's last start (Server
    /// Tenancy/AccountListRecord), so that a start that moves an account off a shared list knows it and copies what blocked it.
    /// </summary>
    public const string Tenancy = "tenancy";

    /// <summary>
    /// Temporary files of a single call that must not hold their data in memory (an import dry run's set of counted
    /// recipients). Deleted when the call ends; whatever a crash left is deleted when the engine opens.
    /// </summary>
    public const string Scratch = "scratch";

    /// <summary>The MO ledger's snapshot, in <see cref="Mo"/>: a restart folds only the records after it.</summary>
    public const string MoLedgerSnapshot = "ledger.bin";
}
