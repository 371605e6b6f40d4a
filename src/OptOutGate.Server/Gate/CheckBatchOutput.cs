using System.Buffers;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;

namespace OptOutGate.Server.Gate;

/// <summary>
/// A CheckBatchResponse as the raw CheckBatch path answers it: the verdicts stay in a pooled array and are written
/// packed, one byte each, by <see cref="CheckBatchCodec.WriteResponse(CheckBatchOutput, Grpc.Core.SerializationContext)"/>
/// straight into the response body. The generated message would allocate a 4-byte enum per verdict (4 KB per
/// 1,000-recipient call, two thirds of the server's allocations under load, which set the rate of gen0 collections).
/// The marshaller disposes it once written (the handler, when the call fails first); <see cref="Rent"/> and
/// <see cref="Dispose"/> keep one instance per thread.
/// </summary>
internal sealed class CheckBatchOutput : IDisposable
{
    [ThreadStatic]
    private static CheckBatchOutput? t_spare;

    private Verdict[] _verdicts = [];
    private int _count;
    private CheckCounts _counts;
    private ulong _sequence;

    private CheckBatchOutput()
    {
    }

    /// <summary>Where the check writes its verdicts, one per recipient.</summary>
    public Memory<Verdict> Verdicts => _verdicts.AsMemory(0, _count);

    /// <summary>Where the check writes its explanations when the request asked for them; else null.</summary>
    public List<Explanation>? Explanations { get; private set; }

    /// <summary>An empty response for <paramref name="count"/> verdicts (and explanations when <paramref name="explain"/>).</summary>
    public static CheckBatchOutput Rent(int count, bool explain)
    {
        var output = t_spare ?? new CheckBatchOutput();
        t_spare = null;
        if (output._verdicts.Length < count)
        {
            if (output._verdicts.Length != 0)
            {
                ArrayPool<Verdict>.Shared.Return(output._verdicts);
            }

            output._verdicts = ArrayPool<Verdict>.Shared.Rent(Math.Max(count, 1024));
        }

        output._count = count;
        output.Explanations = explain ? [] : null;
        return output;
    }

    /// <summary>Sets the rest of the response once the check is done.</summary>
    public void Complete(in CheckCounts counts, ulong sequence)
    {
        _counts = counts;
        _sequence = sequence;
    }

    public int CalculateSize() => CheckBatchCodec.ResponseSize(_count, _counts, _sequence, Explanations);

    public void WriteTo(Span<byte> destination) =>
        CheckBatchCodec.WriteResponse(destination, _verdicts.AsSpan(0, _count), _counts, _sequence, Explanations);

    public void Dispose()
    {
        _count = 0;
        _counts = default;
        _sequence = 0;
        Explanations = null;
        if (t_spare is null)
        {
            t_spare = this;
            return;
        }

        if (Interlocked.Exchange(ref _verdicts, []) is { Length: > 0 } verdicts)
        {
            ArrayPool<Verdict>.Shared.Return(verdicts);
        }
    }
}
