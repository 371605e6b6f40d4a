using System.Buffers;
using System.Numerics;

namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// One CheckStreamRequest as the generator sends it: a request id and a batch serialized once (<see cref="BatchPool"/>),
/// written into the stream as <c>request_id = 1</c> and <c>batch = 2</c> without building the generated message.
/// </summary>
internal sealed record CheckStreamBatch(ulong RequestId, byte[] Batch)
{
    /// <summary>The request marshaller's serializer: the message's bytes straight into the call's buffer.</summary>
    public static void Serialize(CheckStreamBatch request, Grpc.Core.SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var size = request.Length;
        context.SetPayloadLength(size);
        var writer = context.GetBufferWriter();
        request.WriteTo(writer.GetSpan(size));
        writer.Advance(size);
        context.Complete();
    }

    /// <summary>The message's length in bytes.</summary>
    public int Length => (RequestId == 0 ? 0 : 1 + VarintLength(RequestId)) + 1 + VarintLength((ulong)Batch.Length) + Batch.Length;

    /// <summary>Writes the message (no gRPC framing) into <paramref name="destination"/>; returns its length.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var length = 0;
        if (RequestId != 0)
        {
            // proto3 leaves a zero scalar out.
            destination[length++] = 0x08;
            length += WriteVarint(destination[length..], RequestId);
        }

        destination[length++] = 0x12;
        length += WriteVarint(destination[length..], (ulong)Batch.Length);
        Batch.CopyTo(destination[length..]);
        return length + Batch.Length;
    }

    private static int VarintLength(ulong value) => (70 - BitOperations.LeadingZeroCount(value | 1)) / 7;

    private static int WriteVarint(Span<byte> span, ulong value)
    {
        var pos = 0;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        return pos;
    }
}
