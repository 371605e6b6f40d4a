using System.Buffers;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Gate;

/// <summary>
/// A CheckBatchRequest decoded straight from its bytes by <see cref="CheckBatchWire.TryReadRequest"/>: recipients are
/// parsed to numbers (0 = not E.164) into a pooled array, so a batch costs no string per recipient. Reusable: one
/// instance per worker, <see cref="Dispose"/> returns the array to the pool.
/// </summary>
internal sealed class CheckBatchInput : IDisposable
{
    private ulong[] _recipients = ArrayPool<ulong>.Shared.Rent(1024);

    public string Sender { get; internal set; } = "";

    public string App { get; internal set; } = "";

    public SmsType SmsType { get; internal set; }

    public bool Explain { get; internal set; }

    public ulong MinSequence { get; internal set; }

    /// <summary>Number of recipients in the request (may exceed the contract's limit: validation is the caller's).</summary>
    public int Count { get; private set; }

    public ReadOnlyMemory<ulong> Recipients => _recipients.AsMemory(0, Count);

    internal void Reset()
    {
        Sender = "";
        App = "";
        SmsType = SmsType.Unspecified;
        Explain = false;
        MinSequence = 0;
        Count = 0;
    }

    internal void AddRecipient(ulong number)
    {
        if (Count == _recipients.Length)
        {
            var bigger = ArrayPool<ulong>.Shared.Rent(Count * 2);
            _recipients.AsSpan(0, Count).CopyTo(bigger);
            ArrayPool<ulong>.Shared.Return(_recipients);
            _recipients = bigger;
        }

        _recipients[Count++] = number;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _recipients, []);
        if (array.Length != 0)
        {
            ArrayPool<ulong>.Shared.Return(array);
        }
    }
}
