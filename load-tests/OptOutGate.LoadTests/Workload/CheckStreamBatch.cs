using System.Buffers;

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
        Span<byte> head = stackalloc byte[1 + 10 + 1 + 5];
        var length = 0;
        if (request.RequestId != 0)
        {
            // proto3 leaves a zero scalar out.
            head[length++] = 0x08;
            length += WriteVarint(head[length..], request.RequestId);
        }

        head[length++] = 0x12;
        length += WriteVarint(head[length..], (ulong)request.Batch.Length);
        var size = length + request.Batch.Length;
        context.SetPayloadLength(size);
        var writer = context.GetBufferWriter();
        var span = writer.GetSpan(size);
        head[..length].CopyTo(span);
        request.Batch.CopyTo(span[length..]);
        writer.Advance(size);
        context.Complete();
    }

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
