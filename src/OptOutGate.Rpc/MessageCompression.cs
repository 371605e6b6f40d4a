using System.Buffers;
using System.IO.Compression;

namespace OptOutGate.Rpc;

/// <summary>
/// Per-message compression (doc/compression.md). gzip and deflate are accepted; ghz -e sends gzip. Decompression is
/// bounded by the receive limit so a small "zip bomb" cannot make the server allocate without limit.
/// </summary>
public static class MessageCompression
{
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>What this implementation accepts, as advertised in <c>grpc-accept-encoding</c>.</summary>
    public const string Supported = "identity,gzip,deflate";

    public static bool IsSupported(string? encoding) =>
        encoding is null or "identity" or "gzip" or "deflate";

    /// <summary>Decompresses a message body with <paramref name="encoding"/> (gzip or deflate).</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED past <paramref name="maxMessageSize"/>, INTERNAL for corrupt data.</exception>
    public static byte[] Decompress(string encoding, ReadOnlySequence<byte> body, int maxMessageSize)
    {
        using var input = new SequenceStream(body);
        using Stream decoder = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: {Supported}."),
        };
        using var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = ReadOrThrow(decoder, chunk)) > 0)
            {
                if (output.Length + read > maxMessageSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted, $"Decompressed message exceeds the maximum configured message size of {maxMessageSize} bytes.");
                }

                output.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return output.ToArray();
    }

    /// <summary>Compresses <paramref name="body"/> with gzip (used by the client when asked to compress requests).</summary>
    public static byte[] CompressGzip(ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }

    private static int ReadOrThrow(Stream decoder, byte[] chunk)
    {
        try
        {
            return decoder.Read(chunk, 0, chunk.Length);
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(StatusCode.Internal, "Could not decompress the message: " + ex.Message);
        }
    }

    /// <summary>A read-only stream over a sequence, so decompression reads pipe segments without copying them first.</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _remaining = sequence;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _remaining.Length);
            _remaining.Slice(0, n).CopyTo(buffer);
            _remaining = _remaining.Slice(n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
