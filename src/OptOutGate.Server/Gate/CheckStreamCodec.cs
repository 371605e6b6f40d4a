using System.Buffers;
using Google.Protobuf;
using Grpc.Core;

namespace OptOutGate.Server.Gate;

/// <summary>
/// The marshallers of optoutgate.v1.Gate/CheckStream (<see cref="Method"/>): CheckStreamRequest and CheckStreamResponse
/// on the wire (gate.proto) without the generated classes, as <see cref="CheckBatchCodec"/> does for CheckBatch. The
/// generated parser made one string per recipient and a list per batch (about 69 KB for 1,000 recipients) and the
/// generated response a 4-byte enum per verdict; here each request's batch is decoded by
/// <see cref="CheckBatchCodec.TryReadRequest(ReadOnlySpan{byte}, CheckBatchInput)"/> and each answer's verdicts are
/// written packed from the pooled <see cref="CheckBatchOutput"/>. The bytes are those the generated code reads and
/// writes: fields in number order on output; on input any order, unknown fields skipped, and a message field that
/// comes more than once merged (its occurrences read as one message, protobuf's rule).
/// </summary>
internal static class CheckStreamCodec
{
    // google.protobuf.Duration's range (duration.proto): ±10,000 years, nanos of the seconds' sign.
    private const long MaxDurationSeconds = 315_576_000_000;
    private const int MaxDurationNanos = 999_999_999;

    /// <summary>optoutgate.v1.Gate/CheckStream with this codec's marshallers, bound in place of the generated method.</summary>
    public static readonly Method<CheckStreamInput, CheckStreamOutput> Method = new(
        MethodType.DuplexStreaming,
        Contracts.V1.Gate.Descriptor.FullName,
        Contracts.V1.Gate.Descriptor.FindMethodByName("CheckStream").Name,
        Marshallers.Create<CheckStreamInput>(static (_, _) => throw new NotSupportedException("The gate never sends a CheckStreamRequest."), ReadRequest),
        Marshallers.Create<CheckStreamOutput>(WriteResponse, static _ => throw new NotSupportedException("The gate never reads a CheckStreamResponse.")));

    /// <summary>
    /// The request marshaller. Bytes that are not a CheckStreamRequest end the stream with INTERNAL, as for every other
    /// method (Grpc/ContractBinder.ParseError); a request without a batch or with a bad max_wait is the session's to answer.
    /// </summary>
    public static CheckStreamInput ReadRequest(DeserializationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ProtoWire.Read(context.PayloadAsReadOnlySequence(), 0, static (bytes, _) => TryReadRequest(bytes))
            ?? throw new RpcException(Grpc.ContractBinder.ParseError);
    }

    /// <summary>Decodes a CheckStreamRequest; null when the bytes are not one (the batch's own bytes included).</summary>
    public static CheckStreamInput? TryReadRequest(ReadOnlySpan<byte> bytes)
    {
        ulong requestId = 0;
        var batchStart = -1;
        var batchLength = 0;
        byte[]? mergedBatch = null;
        var mergedLength = 0;
        var hasMaxWait = false;
        long seconds = 0;
        var nanos = 0;
        try
        {
            var pos = 0;
            while (pos < bytes.Length)
            {
                if (!ProtoWire.TryReadTag(bytes, ref pos, out var field, out var wireType))
                {
                    return null;
                }

                if (field == 1 && wireType == ProtoWire.VarintType)
                {
                    if (!ProtoWire.TryReadVarint(bytes, ref pos, out requestId))
                    {
                        return null;
                    }
                }
                else if (field == 2 && wireType == ProtoWire.LengthType)
                {
                    if (!ProtoWire.TryReadLengthDelimited(bytes, ref pos, out var batch))
                    {
                        return null;
                    }

                    if (batchStart < 0)
                    {
                        batchStart = pos - batch.Length;
                        batchLength = batch.Length;
                    }
                    else
                    {
                        // The batch again: merged, i.e. read as the concatenation of its occurrences. Rare; copied.
                        Append(ref mergedBatch, ref mergedLength, mergedBatch is null ? bytes.Slice(batchStart, batchLength) : default);
                        Append(ref mergedBatch, ref mergedLength, batch);
                    }
                }
                else if (field == 3 && wireType == ProtoWire.LengthType)
                {
                    // Merged into what earlier occurrences set: each later field overrides its own (protobuf's rule).
                    if (!ProtoWire.TryReadLengthDelimited(bytes, ref pos, out var duration) || !TryReadDuration(duration, ref seconds, ref nanos))
                    {
                        return null;
                    }

                    hasMaxWait = true;
                }
                else if (!ProtoWire.TrySkip(bytes, ref pos, wireType))
                {
                    return null;
                }
            }

            CheckBatchInput? input = null;
            if (batchStart >= 0)
            {
                input = CheckBatchInput.Rent();
                var batchBytes = mergedBatch is null ? bytes.Slice(batchStart, batchLength) : mergedBatch.AsSpan(0, mergedLength);
                if (!CheckBatchCodec.TryReadRequest(batchBytes, input))
                {
                    input.Dispose();
                    return null;
                }
            }

            var valid = !hasMaxWait || IsDuration(seconds, nanos);
            return new CheckStreamInput
            {
                RequestId = requestId,
                Batch = input,
                MaxWait = hasMaxWait && valid ? TimeSpan.FromTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100)) : null,
                MaxWaitInvalid = !valid,
            };
        }
        finally
        {
            if (mergedBatch is not null)
            {
                ArrayPool<byte>.Shared.Return(mergedBatch);
            }
        }
    }

    /// <summary>The response marshaller: writes the response into the body and returns its buffers to the pool.</summary>
    public static void WriteResponse(CheckStreamOutput output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        using (output)
        {
            var size = ResponseSize(output);
            context.SetPayloadLength(size);
            var writer = context.GetBufferWriter();
            WriteResponse(output, writer.GetSpan(size)[..size]);
            writer.Advance(size);
            context.Complete();
        }
    }

    /// <summary>The encoded size of <paramref name="output"/>.</summary>
    public static int ResponseSize(CheckStreamOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var size = output.RequestId != 0 ? 1 + ProtoWire.VarintSize(output.RequestId) : 0;
        if (output.Batch is { } batch)
        {
            size += ProtoWire.LengthDelimitedSize(batch.CalculateSize());
        }
        else if (output.Error is { } error)
        {
            size += ProtoWire.LengthDelimitedSize(error.CalculateSize());
        }

        return size;
    }

    /// <summary>Writes <paramref name="output"/> into <paramref name="span"/>, exactly <see cref="ResponseSize"/> bytes long.</summary>
    public static void WriteResponse(CheckStreamOutput output, Span<byte> span)
    {
        ArgumentNullException.ThrowIfNull(output);
        var pos = 0;
        if (output.RequestId != 0)
        {
            span[pos++] = ProtoWire.Tag(1, ProtoWire.VarintType);
            pos += ProtoWire.WriteVarint(span[pos..], output.RequestId);
        }

        // A oneof member is written even when empty: that is what says which one is set.
        if (output.Batch is { } batch)
        {
            var size = batch.CalculateSize();
            span[pos++] = ProtoWire.Tag(2, ProtoWire.LengthType);
            pos += ProtoWire.WriteVarint(span[pos..], (ulong)size);
            batch.WriteTo(span.Slice(pos, size));
            pos += size;
        }
        else if (output.Error is { } error)
        {
            var size = error.CalculateSize();
            span[pos++] = ProtoWire.Tag(3, ProtoWire.LengthType);
            pos += ProtoWire.WriteVarint(span[pos..], (ulong)size);
            error.WriteTo(span.Slice(pos, size));
            pos += size;
        }

        if (pos != span.Length)
        {
            throw new InvalidOperationException($"CheckStreamResponse: wrote {pos} bytes of {span.Length}.");
        }
    }

    /// <summary>A google.protobuf.Duration's fields (seconds = 1, int64; nanos = 2, int32), merged into the values given.</summary>
    private static bool TryReadDuration(ReadOnlySpan<byte> bytes, ref long seconds, ref int nanos)
    {
        var pos = 0;
        while (pos < bytes.Length)
        {
            if (!ProtoWire.TryReadTag(bytes, ref pos, out var field, out var wireType))
            {
                return false;
            }

            if ((field == 1 || field == 2) && wireType == ProtoWire.VarintType)
            {
                if (!ProtoWire.TryReadVarint(bytes, ref pos, out var value))
                {
                    return false;
                }

                // int64 and int32 are two's complement varints; an int32 keeps its low 32 bits (as the generated parser does).
                if (field == 1)
                {
                    seconds = (long)value;
                }
                else
                {
                    nanos = (int)value;
                }
            }
            else if (!ProtoWire.TrySkip(bytes, ref pos, wireType))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDuration(long seconds, int nanos) =>
        seconds is >= -MaxDurationSeconds and <= MaxDurationSeconds
        && nanos is >= -MaxDurationNanos and <= MaxDurationNanos
        && (seconds == 0 || nanos == 0 || (seconds < 0) == (nanos < 0));

    private static void Append(ref byte[]? buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (buffer is null || buffer.Length - length < bytes.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length + bytes.Length, 256));
            if (buffer is not null)
            {
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = bigger;
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }
}
