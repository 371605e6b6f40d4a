using System.Buffers;

namespace OptOutGate.Rpc.Client;

/// <summary>
/// Reads one received message, given as its serialized bytes (decompressed, without the 5-byte gRPC header), into
/// what the caller keeps. It runs before the bytes are released, so it must not keep <paramref name="message"/>.
/// Throw <see cref="Google.Protobuf.InvalidProtocolBufferException"/> or <see cref="InvalidDataException"/> for bytes
/// that are not the expected message: the call then ends with INTERNAL, as for a generated parser.
/// </summary>
public delegate TResult RawMessageDecoder<TResult>(ReadOnlySequence<byte> message);
