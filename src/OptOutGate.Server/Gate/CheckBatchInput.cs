using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;

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

    // recipients_e164 until the request is read whole: they answer after the text recipients wherever they came on the wire.
    private ulong[] _compact = [];
    private int _compactCount;

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

        var compact = Interlocked.Exchange(ref _compact, []);
        if (compact.Length != 0)
        {
            ArrayPool<ulong>.Shared.Return(compact);
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
        _compactCount = 0;
    }

    /// <summary>A text recipient as parsed and tested against the numbering plan (0 = INVALID_RECIPIENT).</summary>
    internal void AddRecipient(ulong number)
    {
        if (Count == _recipients.Length)
        {
            Grow(ref _recipients, Count, Count + 1);
        }

        _recipients[Count++] = number;
    }

    /// <summary>recipients_e164 values: little-endian fixed64s, <paramref name="packed"/> a multiple of 8 bytes long.</summary>
    internal void AddCompactRecipients(ReadOnlySpan<byte> packed)
    {
        var count = packed.Length / sizeof(ulong);
        if (_compact.Length - _compactCount < count)
        {
            Grow(ref _compact, _compactCount, _compactCount + count);
        }

        var destination = _compact.AsSpan(_compactCount, count);
        if (BitConverter.IsLittleEndian)
        {
            packed.CopyTo(MemoryMarshal.AsBytes(destination));
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(packed.Slice(i * sizeof(ulong), sizeof(ulong)));
            }
        }

        _compactCount += count;
    }

    /// <summary>
    /// The request is read: the compact recipients follow the text ones, each that is not a valid number of a numbering
    /// plan as 0 (INVALID_RECIPIENT).
    /// </summary>
    internal void CompleteRecipients(NumberingPlanTable plans)
    {
        if (_recipients.Length - Count < _compactCount)
        {
            Grow(ref _recipients, Count, Count + _compactCount);
        }

        _compact.AsSpan(0, _compactCount).CopyTo(_recipients.AsSpan(Count));
        Count += _compactCount;
        _compactCount = 0;

        // Text recipients were parsed as digits only (E164.TryParseUtf8): every number is walked through the numbering
        // plan here, the batch's numbers side by side.
        plans.KeepValid(_recipients.AsSpan(0, Count));
    }

    private static void Grow(ref ulong[] array, int used, int needed)
    {
        var bigger = ArrayPool<ulong>.Shared.Rent(Math.Max(Math.Max(used * 2, needed), 1024));
        array.AsSpan(0, used).CopyTo(bigger);
        if (array.Length != 0)
        {
            ArrayPool<ulong>.Shared.Return(array);
        }

        array = bigger;
    }
}
