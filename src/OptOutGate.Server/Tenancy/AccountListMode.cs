namespace OptOutGate.Server.Tenancy;

/// <summary>Which opt-out list an organization's account reads and writes.</summary>
public enum AccountListMode
{
    /// <summary>The organization's list, shared with its other accounts on <see cref="Shared"/>.</summary>
    Shared,

    /// <summary>The account's own list: its opt-outs block only its own sends, and the shared list's block none of them.</summary>
    Own,
}
