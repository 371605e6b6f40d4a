namespace OptOutGate.Engine.Decisions;

/// <summary>The three scopes a check looks at for one recipient, in the order explanations name them.</summary>
internal enum EntryScope : byte
{
    /// <summary>(tenant, sender): MO keyword and API opt-outs at this inbound address.</summary>
    Sender = 0,

    /// <summary>(tenant, sender, app): app-scoped entries.</summary>
    SenderApp = 1,

    /// <summary>(tenant): STOPALL, "revoke all" and tenant-wide manual entries.</summary>
    Tenant = 2,
}
