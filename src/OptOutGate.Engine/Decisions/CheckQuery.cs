using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// What one batch asks, already validated by the caller (sender 1-32 characters, app at most 64, a known SMS type): the
/// tenant comes from the call's identity, never from the request.
/// </summary>
/// <param name="Tenant">The tenant of the call's API key.</param>
/// <param name="Sender">The sender the SMS goes out from.</param>
/// <param name="App">The app; empty = none.</param>
/// <param name="Type">The SMS type (never UNSPECIFIED).</param>
/// <param name="Explain">Build an <see cref="Explanation"/> per recipient that is not ALLOWED.</param>
/// <param name="ActorKeyId">The key id recorded on CONFIRMATION_SENT records.</param>
/// <param name="MinSequence">Answer from a state that reflects at least this sequence (a write the caller made); 0 = now.</param>
/// <param name="MaxWait">How long to wait for <paramref name="MinSequence"/> (CheckStream's max_wait); null = as long as the call lasts.</param>
internal readonly record struct CheckQuery(
    string Tenant,
    string Sender,
    string App,
    SmsType Type,
    bool Explain = false,
    string ActorKeyId = "",
    ulong MinSequence = 0,
    TimeSpan? MaxWait = null);
