using System.Buffers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;

namespace OptOutGate.Server.Gate;

/// <summary>
/// The marshallers of optoutgate.v1.Gate/CheckBatch (<see cref="Method"/>): CheckBatchRequest and CheckBatchResponse on
/// the wire (gate.proto) without the generated classes, for the hot path. The generated parser makes one string per
/// recipient (about 40 B each, plus UTF-16 decoding), which the benchmark (tests/OptOutGate.Benchmarks/README.md,
/// "CheckBatch in process") shows is most of a batch's allocation and a large part of its time; the generated response
/// holds a 4-byte enum per verdict. Here recipients are parsed from their UTF-8 bytes straight to numbers
/// (<see cref="CheckBatchInput"/>), and verdicts are written as one packed field (<see cref="CheckBatchOutput"/>). The
/// encoding is byte for byte what the generated code reads and writes (fields in number order).
/// </summary>
internal static class CheckBatchCodec
{
    /// <summary>
    /// optoutgate.v1.Gate/CheckBatch with this codec's marshallers, bound in place of the generated method
    /// (Grpc/ContractBinder): grpc-dotnet hands <see cref="ReadRequest"/> the request's bytes
    /// (<see cref="DeserializationContext.PayloadAsReadOnlySequence"/>) and lets <see cref="WriteResponse(CheckBatchOutput, SerializationContext)"/>
    /// write the response straight into the response body (<see cref="SerializationContext.GetBufferWriter"/>).
    /// Reflection still describes the method from gate.proto: the bytes are the same.
    /// </summary>
    public static readonly Method<CheckBatchInput, CheckBatchOutput> Method = new(
        MethodType.Unary,
        Contracts.V1.Gate.Descriptor.FullName,
        Contracts.V1.Gate.Descriptor.FindMethodByName("CheckBatch").Name,
        Marshallers.Create<CheckBatchInput>(static (_, _) => throw new NotSupportedException("The gate never sends a CheckBatchRequest."), ReadRequest),
        Marshallers.Create<CheckBatchOutput>(WriteResponse, static _ => throw new NotSupportedException("The gate never reads a CheckBatchResponse.")));

    /// <summary>
    /// The request marshaller: a pooled <see cref="CheckBatchInput"/> the handler disposes. Bytes that are not a
    /// CheckBatchRequest end the call with INTERNAL, as for every other method (Grpc/ContractBinder.ParseError).
    /// </summary>
    public static CheckBatchInput ReadRequest(DeserializationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = CheckBatchInput.Rent();
        if (!TryReadRequest(context.PayloadAsReadOnlySequence(), input))
        {
            input.Dispose();
            throw new RpcException(Grpc.ContractBinder.ParseError);
        }

        return input;
    }

    /// <summary>The response marshaller: writes the response into the body and returns its buffers to the pool.</summary>
    public static void WriteResponse(CheckBatchOutput output, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var size = output.CalculateSize();
            context.SetPayloadLength(size);
            var writer = context.GetBufferWriter();
            output.WriteTo(writer.GetSpan(size)[..size]);
            writer.Advance(size);
            context.Complete();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary><see cref="TryReadRequest(ReadOnlySpan{byte}, CheckBatchInput)"/> over a message that may span several buffers.</summary>
    public static bool TryReadRequest(in ReadOnlySequence<byte> bytes, CheckBatchInput input) =>
        ProtoWire.Read(bytes, input, static (span, input) => TryReadRequest(span, input));

    /// <summary>
    /// Decodes a CheckBatchRequest into <paramref name="input"/> (reset first). False when the bytes are not a valid
    /// protobuf message (truncated field, bad wire type, groups): <see cref="ReadRequest"/> answers INTERNAL, as for the generated parser.
    /// Unknown fields are skipped.
    /// </summary>
    public static bool TryReadRequest(ReadOnlySpan<byte> bytes, CheckBatchInput input)
    {
        input.Reset();
        var plans = NumberingPlan.Table;
        var pos = 0;
        while (pos < bytes.Length)
        {
            if (!ProtoWire.TryReadTag(bytes, ref pos, out var field, out var wireType))
            {
                return false;
            }

            if (wireType == ProtoWire.LengthType)
            {
                if (!ProtoWire.TryReadLengthDelimited(bytes, ref pos, out var value))
                {
                    return false;
                }

                switch (field)
                {
                    case 1:
                        input.Sender = Encoding.UTF8.GetString(value);
                        break;
                    case 2:
                        input.App = Encoding.UTF8.GetString(value);
                        break;
                    case 4:
                        // 0 = INVALID_RECIPIENT (see CheckEngine); the numbering-plan test comes once every recipient is
                        // read (CompleteRecipients), for the whole batch at once.
                        input.AddRecipient(E164.TryParseUtf8(value, out var number) ? number : 0);
                        break;
                    case 7:
                        // recipients_e164, packed (proto3's encoding of a repeated fixed64).
                        if (value.Length % 8 != 0)
                        {
                            return false;
                        }

                        input.AddCompactRecipients(value);
                        break;
                    case 3:
                        // A packed repeated encoding of a singular enum: the last value wins (protobuf's rule).
                        var inner = 0;
                        while (inner < value.Length)
                        {
                            if (!ProtoWire.TryReadVarint(value, ref inner, out var packed))
                            {
                                return false;
                            }

                            input.SmsType = (SmsType)(int)packed;
                        }

                        break;
                }

                continue;
            }

            switch (wireType)
            {
                case ProtoWire.VarintType:
                    if (!ProtoWire.TryReadVarint(bytes, ref pos, out var varint))
                    {
                        return false;
                    }

                    switch (field)
                    {
                        case 3:
                            input.SmsType = (SmsType)(int)varint;
                            break;
                        case 5:
                            input.Explain = varint != 0;
                            break;
                        case 6:
                            input.MinSequence = varint;
                            break;
                    }

                    break;
                case ProtoWire.Fixed64Type:
                    if (bytes.Length - pos < 8)
                    {
                        return false;
                    }

                    if (field == 7)
                    {
                        // One recipients_e164 value unpacked: parsers accept both encodings of a repeated scalar.
                        input.AddCompactRecipients(bytes.Slice(pos, 8));
                    }

                    pos += 8;
                    break;
                default:
                    // Fixed32 (no field of this message), or not a wire type of proto3 (groups, 6, 7): false.
                    if (!ProtoWire.TrySkip(bytes, ref pos, wireType))
                    {
                        return false;
                    }

                    break;
            }
        }

        // The compact recipients answer after the text ones (gate.proto), once tested against the numbering plan.
        input.CompleteRecipients(plans);
        return true;
    }

    /// <summary>
    /// Writes a CheckBatchResponse: packed verdicts, counts, sequence, and (explain) the explanations through their
    /// generated code. Returns the number of bytes written.
    /// </summary>
    public static int WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<Verdict> verdicts, in CheckCounts counts, ulong sequence, IReadOnlyList<Explanation>? explanations)
    {
        ArgumentNullException.ThrowIfNull(output);
        var size = ResponseSize(verdicts.Length, counts, sequence, explanations);
        WriteResponse(output.GetSpan(size)[..size], verdicts, counts, sequence, explanations);
        output.Advance(size);
        return size;
    }

    /// <summary>The encoded size of the CheckBatchResponse <see cref="WriteResponse(Span{byte}, ReadOnlySpan{Verdict}, in CheckCounts, ulong, IReadOnlyList{Explanation}?)"/> writes.</summary>
    public static int ResponseSize(int verdictCount, in CheckCounts counts, ulong sequence, IReadOnlyList<Explanation>? explanations)
    {
        var countsSize = CountsSize(counts);
        var size = 0;
        if (verdictCount != 0)
        {
            size += 1 + ProtoWire.VarintSize((ulong)verdictCount) + verdictCount;
        }

        size += 1 + ProtoWire.VarintSize((ulong)countsSize) + countsSize;
        if (sequence != 0)
        {
            size += 1 + ProtoWire.VarintSize(sequence);
        }

        var explanationCount = explanations?.Count ?? 0;
        for (var i = 0; i < explanationCount; i++)
        {
            var s = explanations![i].CalculateSize();
            size += 1 + ProtoWire.VarintSize((ulong)s) + s;
        }

        return size;
    }

    /// <summary>Writes a CheckBatchResponse into <paramref name="span"/>, exactly <see cref="ResponseSize"/> bytes long.</summary>
    public static void WriteResponse(Span<byte> span, ReadOnlySpan<Verdict> verdicts, in CheckCounts counts, ulong sequence, IReadOnlyList<Explanation>? explanations)
    {
        var pos = 0;
        if (verdicts.Length != 0)
        {
            span[pos++] = (1 << 3) | ProtoWire.LengthType;
            pos += ProtoWire.WriteVarint(span[pos..], (ulong)verdicts.Length);
            var packed = span.Slice(pos, verdicts.Length);
            for (var i = 0; i < packed.Length; i++)
            {
                // Every Verdict number is below 128, so each packed varint is one byte (gate.proto).
                packed[i] = (byte)verdicts[i];
            }

            pos += verdicts.Length;
        }

        span[pos++] = (2 << 3) | ProtoWire.LengthType;
        pos += ProtoWire.WriteVarint(span[pos..], (ulong)CountsSize(counts));
        pos += WriteCounts(span[pos..], counts);
        if (sequence != 0)
        {
            span[pos++] = (3 << 3) | ProtoWire.VarintType;
            pos += ProtoWire.WriteVarint(span[pos..], sequence);
        }

        var explanationCount = explanations?.Count ?? 0;
        for (var i = 0; i < explanationCount; i++)
        {
            var explanation = explanations![i];
            var s = explanation.CalculateSize();
            span[pos++] = (4 << 3) | ProtoWire.LengthType;
            pos += ProtoWire.WriteVarint(span[pos..], (ulong)s);
            explanation.WriteTo(span.Slice(pos, s));
            pos += s;
        }

        if (pos != span.Length)
        {
            throw new InvalidOperationException($"CheckBatchResponse: wrote {pos} bytes of {span.Length}.");
        }
    }

    private static int CountsSize(in CheckCounts counts)
    {
        var size = 0;
        for (var verdict = Verdict.Allowed; verdict <= Verdict.BlockedConfirmation; verdict++)
        {
            var count = counts[verdict];
            if (count != 0)
            {
                size += 1 + ProtoWire.VarintSize(count);
            }
        }

        return size;
    }

    // VerdictCounts numbers its fields in Verdict order (allowed = 1 ... blocked_confirmation = 7).
    private static int WriteCounts(Span<byte> span, in CheckCounts counts)
    {
        var pos = 0;
        for (var verdict = Verdict.Allowed; verdict <= Verdict.BlockedConfirmation; verdict++)
        {
            var count = counts[verdict];
            if (count != 0)
            {
                span[pos++] = (byte)(((int)verdict << 3) | ProtoWire.VarintType);
                pos += ProtoWire.WriteVarint(span[pos..], count);
            }
        }

        return pos;
    }
}
