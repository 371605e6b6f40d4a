using System.Buffers;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Gate;

/// <summary>
/// A CheckBatchRequest decoded straight from its bytes by <see cref="CheckBatchCodec"/>: recipients are parsed to
/// numbers (0 = not a valid number) into a pooled array, so a batch costs no string per recipient. <see cref="Rent"/>
/// and <see cref="Dispose"/> keep one instance per thread, so a call allocates none.
/// </summary>
internal sealed class CheckBatchInput : IDisposable
{
    [ThreadStatic]
    private static CheckBatchInput? t_spare;

    private ulong[] _recipients = ArrayPool<ulong>.Shared.Rent(1024);

    public string Sender { get; internal set; } = "";

    public string App { get; internal set; } = "";

    public SmsType SmsType { get; internal set; }

    public bool Explain { get; internal set; }

    public ulong MinSequence { get; internal set; }

    /// <summary>Number of recipients in the request (may exceed the contract's limit: validation is the caller's).</summary>
    public int Count { get; private set; }

    public ReadOnlyMemory<ulong> Recipients => _recipients.AsMemory(0, Count);

    /// <summary>This thread's spare instance, or a new one.</summary>
    public static CheckBatchInput Rent()
    {
        var input = t_spare ?? new CheckBatchInput();
        t_spare = null;
        return input;
    }

    /// <summary>Done with this request: the instance becomes this thread's spare (or, with one there already, lets its array go).</summary>
    public void Dispose()
    {
        Reset();
        if (t_spare is null && _recipients.Length != 0)
        {
            t_spare = this;
            return;
        }

        var array = Interlocked.Exchange(ref _recipients, []);
        if (array.Length != 0)
        {
            ArrayPool<ulong>.Shared.Return(array);
        }
    }

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
            var bigger = ArrayPool<ulong>.Shared.Rent(Math.Max(Count * 2, 1024));
            _recipients.AsSpan(0, Count).CopyTo(bigger);
            if (_recipients.Length != 0)
            {
                ArrayPool<ulong>.Shared.Return(_recipients);
            }

            _recipients = bigger;
        }

        _recipients[Count++] = number;
    }
}
