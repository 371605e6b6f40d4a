using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>A message already seen: the sequence of its record (0 when it made none) and what it did.</summary>
internal readonly record struct SeenMo(ulong Sequence, long ReceiveTicks, MoAction Action);

/// <summary>The (scope sender, app, recipient) of the opt-out entry a removal request names, per tenant.</summary>
internal readonly record struct RemovalTarget(string Tenant, Scope Scope, string Sender, string App, string Recipient);
