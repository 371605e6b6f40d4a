using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// A "message" whose bytes are not a valid CheckBatchRequest: field 4 (recipients) claims 100 bytes but one follows.
/// Sent in place of a CheckBatchRequest to check that the server answers INTERNAL and keeps serving.
/// </summary>
public sealed class GarbageRequest : IMessage<GarbageRequest>, IBufferMessage
{
    private static readonly byte[] s_bytes = [0x22, 0x64, 0x2B];

    /// <summary>Gate/CheckBatch, sending this in place of its request.</summary>
    public static Method<GarbageRequest, CheckBatchResponse> AsCheckBatch { get; } = new(
        MethodType.Unary, "optoutgate.v1.Gate", "CheckBatch", Marshallers.Create(static (GarbageRequest r) => r.ToByteArray(), static _ => new GarbageRequest()), Calls.Marshaller<CheckBatchResponse>());

    public MessageDescriptor Descriptor => throw new NotSupportedException();

    public int CalculateSize() => s_bytes.Length;

    public void WriteTo(CodedOutputStream output) => output.WriteRawTag(s_bytes[0], s_bytes[1], s_bytes[2]);

    public void InternalWriteTo(ref WriteContext output) => output.WriteRawTag(s_bytes[0], s_bytes[1], s_bytes[2]);

    public void MergeFrom(GarbageRequest message)
    {
    }

    public void MergeFrom(CodedInputStream input) => input.SkipLastField();

    public void InternalMergeFrom(ref ParseContext ctx)
    {
    }

    public GarbageRequest Clone() => new();

    public bool Equals(GarbageRequest? other) => other is not null;

    public override bool Equals(object? obj) => obj is GarbageRequest;

    public override int GetHashCode() => 1;
}
