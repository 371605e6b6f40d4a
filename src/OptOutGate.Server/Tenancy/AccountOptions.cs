namespace OptOutGate.Server.Tenancy;

/// <summary>One account of an organization, <c>Tenancy:Organizations:&lt;organization-id&gt;:Accounts:&lt;tenant-id&gt;</c>.</summary>
public sealed class AccountOptions
{
    /// <summary>
    /// <see cref="AccountListMode.Shared"/> (the default): the account reads and writes the organization's shared list;
    /// <see cref="AccountListMode.Own"/>: its own list, which the organization's other accounts never see.
    /// </summary>
    public AccountListMode List { get; set; } = AccountListMode.Shared;
}
