using OptOutGate.Contracts.V1;

namespace OptOutGate.Core.Mo;

/// <summary>The target whose MO opt-out/opt-in order the ledger tracks: (tenant, scope sender, recipient); "" = tenant-wide.</summary>
internal readonly record struct OrderKey(string Tenant, string ScopeSender, ulong Recipient);

/// <summary>The MO opt-out or opt-in with the latest carrier time for an <see cref="OrderKey"/>.</summary>
internal readonly record struct LatestMo(long EventTicks, bool OptOut, ulong Sequence, long ReceiveTicks, string CarrierMessageId);

/// <summary>A message already seen: the sequence of its record (0 when it made none) and what it did.</summary>
internal readonly record struct SeenMo(ulong Sequence, long ReceiveTicks, MoAction Action);

/// <summary>The (scope sender, app, recipient) of the opt-out entry a removal request names, per tenant.</summary>
internal readonly record struct RemovalTarget(string Tenant, Scope Scope, string Sender, string App, string Recipient);
