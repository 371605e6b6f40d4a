using System.Buffers;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Rpc.Server;

namespace OptOutGate.Server.Gate;

/// <summary>
/// A CheckBatchResponse as the raw CheckBatch path answers it: the verdicts stay in a pooled array and are written
/// packed, one byte each, by <see cref="CheckBatchWire"/> straight into the response body. The generated message would
/// allocate a 4-byte enum per verdict (4 KB per 1,000-recipient call, two thirds of the server's allocations under
/// load, which set the rate of gen0 collections). The layer disposes it once written.
/// </summary>
internal sealed class CheckBatchOutput : IRawResponse
{
    private readonly int _count;
    private Verdict[]? _verdicts;
    private CheckCounts _counts;
    private ulong _sequence;

    public CheckBatchOutput(int count, bool explain)
    {
        _count = count;
        _verdicts = ArrayPool<Verdict>.Shared.Rent(Math.Max(count, 1));
        Explanations = explain ? [] : null;
    }

    /// <summary>Where the check writes its verdicts, one per recipient.</summary>
    public Memory<Verdict> Verdicts => Array().AsMemory(0, _count);

    /// <summary>Where the check writes its explanations when the request asked for them; else null.</summary>
    public List<Explanation>? Explanations { get; }

    /// <summary>Sets the rest of the response once the check is done.</summary>
    public void Complete(in CheckCounts counts, ulong sequence)
    {
        _counts = counts;
        _sequence = sequence;
    }

    public int CalculateSize() => CheckBatchWire.ResponseSize(_count, _counts, _sequence, Explanations);

    public void WriteTo(Span<byte> destination) =>
        CheckBatchWire.WriteResponse(destination, Array().AsSpan(0, _count), _counts, _sequence, Explanations);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _verdicts, null) is { } verdicts)
        {
            ArrayPool<Verdict>.Shared.Return(verdicts);
        }
    }

    private Verdict[] Array() => _verdicts ?? throw new ObjectDisposedException(nameof(CheckBatchOutput));
}
