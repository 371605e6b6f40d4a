namespace OptOutGate.Engine.History;

/// <summary>Which paged list a <see cref="PageToken"/> belongs to, so a token of one list is refused by another.</summary>
internal enum PageList : byte
{
    History = 1,
    Entries = 2,
    InboundAddresses = 3,
    BlockingRules = 4,
    RemovalRequests = 5,
    ReviewQueue = 6,
}
