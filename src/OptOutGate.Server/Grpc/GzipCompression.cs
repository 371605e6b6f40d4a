using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// gzip for grpc-dotnet, as its own provider does it, except that a request whose compressed bytes do not inflate
/// answers INTERNAL, as gRPC's statuscodes.md says for "could not decompress, but compression algorithm supported".
/// grpc-dotnet lets the <see cref="InvalidDataException"/> of <see cref="GZipStream"/> out of the message reader, where
/// it becomes UNKNOWN ("Exception was thrown by handler"); no option changes that, so the provider translates it.
/// </summary>
internal sealed class GzipCompression : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new CorruptAsInternal(new GZipStream(stream, CompressionMode.Decompress));

    /// <summary>A read-only stream over the inflater whose damaged-data errors are the call's INTERNAL status.</summary>
    private sealed class CorruptAsInternal(GZipStream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw Corrupt(e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw Corrupt(e);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private static RpcException Corrupt(InvalidDataException e) =>
            new(new Status(StatusCode.Internal, "The request message is marked gzip-compressed but does not inflate: " + e.Message));
    }
}
