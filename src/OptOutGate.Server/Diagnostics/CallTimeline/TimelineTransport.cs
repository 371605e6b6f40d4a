using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OptOutGate.Server.Diagnostics.CallTimeline;

/// <summary>
/// Connection middleware for the gRPC listener: puts counting pipes between the socket transport and Kestrel's HTTP/2
/// layer, so the timeline knows when each byte of a connection reached Kestrel and when Kestrel flushed each byte out.
/// A client that counts the bytes it wrote and read on the same connection joins them to its calls exactly, with no
/// frame parsing here. Written by hand: Kestrel reports no per-connection byte times (its event source counts
/// connections and requests, not bytes).
/// </summary>
internal static class TimelineTransport
{
    public static ConnectionDelegate Wrap(ConnectionDelegate next, CallTimelineRecorder recorder) => async connection =>
    {
        var port = (connection.RemoteEndPoint as IPEndPoint)?.Port ?? 0;
        var original = connection.Transport;
        connection.Transport = new DuplexPipe(new CountingReader(original.Input, recorder, port), new CountingWriter(original.Output, recorder, port));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = original;
        }
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Records, at each read that brings new bytes, how many have arrived since the connection opened.</summary>
    private sealed class CountingReader(PipeReader inner, CallTimelineRecorder recorder, int port) : PipeReader
    {
        private ReadOnlySequence<byte> _last;
        private long _consumed;
        private long _arrived;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => Seen(await inner.ReadAsync(cancellationToken));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            result = Seen(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            _consumed += _last.Slice(_last.Start, consumed).Length;
            _last = default;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private ReadResult Seen(ReadResult result)
        {
            _last = result.Buffer;
            var arrived = _consumed + result.Buffer.Length;
            if (arrived > _arrived)
            {
                _arrived = arrived;
                recorder.Read(port, arrived, Stopwatch.GetTimestamp());
            }

            return result;
        }
    }

    /// <summary>Records, at each flush, how many bytes Kestrel has handed to the socket transport since the connection opened.</summary>
    private sealed class CountingWriter(PipeWriter inner, CallTimelineRecorder recorder, int port) : PipeWriter
    {
        private long _written;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            _written += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            recorder.Flushed(port, _written, Stopwatch.GetTimestamp());
            return inner.FlushAsync(cancellationToken);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            _written += source.Length;
            recorder.Flushed(port, _written, Stopwatch.GetTimestamp());
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
