using System.Buffers.Binary;
using System.Net.Sockets;
using Grpc.Core;
using static OptOutGate.LoadTests.Http2.Http2Protocol;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// A bare HTTP/2 (h2c, prior knowledge) connection for unary gRPC calls, built to measure the gate's latency without a
/// client stack's thread hand-offs: the caller's thread writes a call's frames straight to a blocking socket, and one
/// dedicated reader thread parses every frame and completes the call in place. HttpClient's HTTP/2 instead hands each
/// request to the connection's writer and each response back to the caller's continuation through the thread pool;
/// on two shared cores such wake-ups cost up to milliseconds at the tail, which the project's client showed in its
/// half-load p99 (load-tests/README.md, "Half load"). Flow control is honoured both ways, SETTINGS and PING are answered, GOAWAY and
/// RST_STREAM end the calls they concern with gRPC's status for them.
/// </summary>
internal sealed partial class Http2Connection : IDisposable
{
    /// <summary>The receive window this client grants: the largest HTTP/2 allows, so the gate never waits on it.</summary>
    private const int ReceiveWindow = MaxWindowSize;

    private readonly Socket _socket;
    private readonly object _send = new();
    private readonly object _streams = new();
    private readonly Dictionary<int, Http2Call> _open = [];
    private readonly Thread _reader;
    private readonly ManualResetEventSlim _settingsReceived = new();
    private byte[] _sendBuffer = new byte[64 * 1024];
    private int _pending; // Bytes framed in _sendBuffer and not sent yet (a stream's messages while writers queue).
    private long _bytesSent; // Since the connection opened, under the send lock: the calls' WireMarks.
    private int _writersWaiting; // Stream writers waiting for the send lock: the last of a burst sends it all.
    private bool _readerFramed; // The reader's handlers framed messages it has not sent yet (reader thread only).
    private int _nextStreamId = 1;
    private long _connectionSendWindow = DefaultInitialWindowSize;
    private int _peerInitialWindow = DefaultInitialWindowSize;
    private int _peerMaxFrameSize = DefaultMaxFrameSize;
    private Status? _closed; // Written and read under the send lock.
    private bool _readerStarted;
    private int _disposed;

    private Http2Connection(Socket socket)
    {
        _socket = socket;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "h2 reader" };
    }

    /// <summary>The connection's local port: the gate's call timeline names the connection by it.</summary>
    public int LocalPort => (_socket.LocalEndPoint as System.Net.IPEndPoint)?.Port ?? 0;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS from the server (unbounded until it says).</summary>
    public int MaxConcurrentStreams { get; private set; } = int.MaxValue;

    /// <summary>
    /// Connects, sends the preface and this client's SETTINGS, and waits for the server's. Synchronous socket calls
    /// only: one asynchronous call would put the socket in .NET's emulated-blocking mode, whose waits go through the
    /// thread pool.
    /// </summary>
    public static Http2Connection Connect(string host, int port, TimeSpan timeout)
    {
        var connection = new Http2Connection(new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        try
        {
            connection._socket.Connect(host, port);
            connection.SendPreface();
            connection._readerStarted = true;
            connection._reader.Start();
            if (!connection._settingsReceived.Wait(timeout))
            {
                throw new IOException($"{host}:{port} sent no HTTP/2 SETTINGS within {timeout.TotalSeconds:0.#} s: is it a gRPC server speaking h2c?");
            }

            return connection.ClosedReason is { } failed ? throw new IOException($"{host}:{port}: {failed.Detail}") : connection;
        }
        catch
        {
            // Not the socket directly: a reader that has failed the handshake may still be closing it.
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="call"/>: HEADERS with <paramref name="headerBlock"/>, then DATA carrying
    /// <paramref name="framedMessage"/> (a gRPC length-prefixed message) and END_STREAM, written from this thread. Waits
    /// for flow-control window if the server has none open. A connection that has failed completes the call at once.
    /// On the reader thread (a completed call's continuation starting the next, as the race's workers do) the frames
    /// are sent with the others after the reader's current read, as <see cref="Send"/> does.
    /// </summary>
    public void Start(Http2Call call, ReadOnlySpan<byte> headerBlock, ReadOnlySpan<byte> framedMessage)
    {
        Status? refused;
        try
        {
            lock (_send)
            {
                var onReader = Thread.CurrentThread == _reader;
                if (onReader && Math.Min(_connectionSendWindow, _peerInitialWindow) < framedMessage.Length)
                {
                    // The reader must never wait for a window (it reads WINDOW_UPDATE): this call starts from a pool thread.
                    var (block, message) = (headerBlock.ToArray(), framedMessage.ToArray());
                    ThreadPool.UnsafeQueueUserWorkItem(state => state.Connection.Start(state.Call, state.Block, state.Message), (Connection: this, Call: call, Block: block, Message: message), preferLocal: false);
                    return;
                }

                refused = _closed ?? _goingAway ?? Open(call, headerBlock.Length);
                if (refused is null)
                {
                    var written = Frame(_pending, headerBlock, FrameType.Headers, EndHeaders, call.StreamId);
                    written = WriteData(call, framedMessage, written, EndStream);
                    call.Wire = new WireMarks(call.StreamId, _bytesSent + written, 0, 0);
                    if (onReader)
                    {
                        // Started by a call the reader completed: sent with the others after the reader's current read.
                        _pending = written;
                        _readerFramed = true;
                    }
                    else if (_closed is null)
                    {
                        Flush(written);
                        call.WrittenAt = System.Diagnostics.Stopwatch.GetTimestamp();
                    }
                }
            }
        }
        catch (SocketException ex)
        {
            // The call is open, so closing the connection completes it.
            Close(new Status(StatusCode.Unavailable, "the connection failed while sending: " + ex.Message));
            return;
        }

        if (refused is { } status)
        {
            Complete(call, status, default);
        }
    }

    /// <summary>
    /// Opens <paramref name="call"/>'s stream: HEADERS with <paramref name="headerBlock"/> and no END_STREAM; its
    /// messages follow with <see cref="Send"/>. A connection that has failed completes the call at once.
    /// </summary>
    public void Open(Http2StreamCall call, ReadOnlySpan<byte> headerBlock)
    {
        Status? refused;
        try
        {
            lock (_send)
            {
                refused = _closed ?? _goingAway ?? Open((Http2Call)call, headerBlock.Length);
                if (refused is null)
                {
                    Flush(Frame(_pending, headerBlock, FrameType.Headers, EndHeaders, call.StreamId));
                }
            }
        }
        catch (SocketException ex)
        {
            Close(new Status(StatusCode.Unavailable, "the connection failed while sending: " + ex.Message));
            return;
        }

        if (refused is { } status)
        {
            Complete(call, status, default);
        }
    }

    /// <summary>
    /// Sends <paramref name="framedMessage"/> (a gRPC length-prefixed message) on an open stream; with
    /// <paramref name="last"/> the client's side of the stream ends with it (END_STREAM). Writers that come while
    /// another holds the socket leave their frames to the last of them, which sends them all in one write: a burst of
    /// messages costs the client and the server one socket write and read, not one each (what Grpc.Net.Client does
    /// not do: it flushes every message). It blocks while the server's windows are shut (a thread-pool caller holds
    /// its thread meanwhile; the race's are few and the gate, out of process, opens them again). False when the stream
    /// or the connection has ended; whoever ended it completed the call.
    /// </summary>
    public bool Send(Http2StreamCall call, ReadOnlySpan<byte> framedMessage, bool last = false)
    {
        if (Thread.CurrentThread == _reader)
        {
            return SendFromReader(call, framedMessage, last);
        }

        Interlocked.Increment(ref _writersWaiting);
        try
        {
            lock (_send)
            {
                Interlocked.Decrement(ref _writersWaiting);

                // A message is written whole before the next one on its stream starts, even when a shut window makes
                // its writer wait in the middle of it (other streams' frames may come between, as HTTP/2 allows).
                while (call.Writing && _closed is null && call.StreamId != 0)
                {
                    Monitor.Wait(_send);
                }

                var open = _closed is null && call.StreamId != 0;
                if (open)
                {
                    call.Writing = true;
                    try
                    {
                        _pending = WriteData(call, framedMessage, _pending, last ? EndStream : (byte)0);
                    }
                    finally
                    {
                        call.Writing = false;
                        Monitor.PulseAll(_send);
                    }
                }

                // Bytes left by an earlier writer go now unless another writer is already waiting to add to them.
                if (_closed is null && _pending > 0 && Volatile.Read(ref _writersWaiting) == 0)
                {
                    Flush(_pending);
                }

                return open && _closed is null && call.StreamId != 0;
            }
        }
        catch (SocketException ex)
        {
            Close(new Status(StatusCode.Unavailable, "the connection failed while sending: " + ex.Message));
            return false;
        }
    }

    /// <summary>
    /// <see cref="Send"/> on the reader thread, from a handler that the reader ran (a stream's answer whose waiter sends
    /// the next request at once): the frames are left for the reader, which sends everything its handlers framed in one
    /// write when it has taken all it received (<see cref="FlushFromReader"/>), so a burst of answers brings one burst
    /// of requests back. The reader must never wait for a window (it is the thread that reads WINDOW_UPDATE): a message
    /// the windows cannot take whole now goes from a thread-pool thread instead.
    /// </summary>
    private bool SendFromReader(Http2StreamCall call, ReadOnlySpan<byte> framedMessage, bool last)
    {
        lock (_send)
        {
            if (_closed is not null || call.StreamId == 0)
            {
                return false;
            }

            if (!call.Writing && Math.Min(_connectionSendWindow, call.SendWindow) >= framedMessage.Length)
            {
                _pending = WriteData(call, framedMessage, _pending, last ? EndStream : (byte)0);
                _readerFramed = true;
                return true;
            }
        }

        var copy = framedMessage.ToArray();
        ThreadPool.UnsafeQueueUserWorkItem(state => state.Connection.Send(state.Call, state.Message, state.Last), (Connection: this, Call: call, Message: copy, Last: last), preferLocal: false);
        return true;
    }

    /// <summary>On the reader thread, between two reads: sends what its handlers framed (<see cref="SendFromReader"/>).</summary>
    private void FlushFromReader()
    {
        _readerFramed = false;
        lock (_send)
        {
            if (_closed is null && _pending > 0 && Volatile.Read(ref _writersWaiting) == 0)
            {
                Flush(_pending);
            }
        }
    }

    /// <summary>
    /// Fails the open calls, shuts the socket and waits for the reader thread to end; it disposes the socket as it
    /// ends (see <see cref="ReadLoop"/>). Safe to call more than once, from any thread, the reader's own included (a
    /// call's completion may dispose its connection): the reader then ends when it returns to its loop.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Close(new Status(StatusCode.Cancelled, "the client closed the connection"));
        if (!_readerStarted)
        {
            _socket.Dispose();
        }
        else if (Thread.CurrentThread != _reader)
        {
            _reader.Join();
        }

        _settingsReceived.Dispose();
    }

    private Status? ClosedReason
    {
        get
        {
            lock (_send)
            {
                return _closed;
            }
        }
    }

    private Status? Open(Http2Call call, int headerBlockLength)
    {
        if (headerBlockLength > _peerMaxFrameSize)
        {
            return new Status(StatusCode.Internal, $"request headers of {headerBlockLength} bytes exceed the server's frame size ({_peerMaxFrameSize})");
        }

        if (_nextStreamId < 0)
        {
            return new Status(StatusCode.Unavailable, "this connection has used all its stream ids");
        }

        call.Reset();
        call.StreamId = _nextStreamId;
        call.SendWindow = _peerInitialWindow;
        _nextStreamId += 2;
        lock (_streams)
        {
            _open.Add(call.StreamId, call);
        }

        return null;
    }

    /// <summary>
    /// DATA frames within both send windows appended after <paramref name="written"/> bytes, the last with
    /// <paramref name="endFlags"/>; returns the bytes now framed and not sent. Sends what is framed and waits when
    /// a window is shut, for WINDOW_UPDATE; called under the send lock. Stops early when the stream or the connection
    /// ends while it waits: whoever ended it completed the call.
    /// </summary>
    private int WriteData(Http2Call call, ReadOnlySpan<byte> message, int written, byte endFlags)
    {
        var streamId = call.StreamId; // The reader zeroes call.StreamId when the server ends the stream early.
        if (message.IsEmpty)
        {
            // Only a stream's end carries no message (an empty DATA frame uses no window).
            return endFlags == 0 ? written : Frame(written, [], FrameType.Data, endFlags, streamId);
        }

        var sent = 0;
        while (sent < message.Length)
        {
            var room = (int)Math.Min(Math.Min(_connectionSendWindow, call.SendWindow), _peerMaxFrameSize);
            if (room <= 0)
            {
                Flush(written);
                written = 0;
                Monitor.Wait(_send);

                // Other writers may have framed bytes of their own meanwhile: ours go after them.
                written = _pending;
                if (_closed is not null || call.StreamId == 0)
                {
                    return written;
                }

                continue;
            }

            var length = Math.Min(room, message.Length - sent);
            var last = sent + length == message.Length;
            written = Frame(written, message.Slice(sent, length), FrameType.Data, last ? endFlags : (byte)0, streamId);
            _connectionSendWindow -= length;
            call.SendWindow -= length;
            sent += length;
        }

        return written;
    }

    /// <summary>Appends a frame to the send buffer at <paramref name="offset"/>; returns the new end.</summary>
    private int Frame(int offset, ReadOnlySpan<byte> payload, FrameType type, byte flags, int streamId)
    {
        var end = offset + FrameHeaderSize + payload.Length;
        if (end > _sendBuffer.Length)
        {
            Array.Resize(ref _sendBuffer, Math.Max(end, _sendBuffer.Length * 2));
        }

        WriteFrameHeader(_sendBuffer.AsSpan(offset), payload.Length, type, flags, streamId);
        payload.CopyTo(_sendBuffer.AsSpan(offset + FrameHeaderSize));
        return end;
    }

    /// <summary>Sends the first <paramref name="length"/> bytes of the send buffer (under the send lock); nothing is pending after it.</summary>
    private void Flush(int length)
    {
        _pending = 0;
        var sent = 0;
        while (sent < length)
        {
            sent += _socket.Send(_sendBuffer.AsSpan(sent, length - sent), SocketFlags.None);
        }

        _bytesSent += length;
    }

    /// <summary>Writes one control frame (from the reader thread); a socket that has gone ends the connection.</summary>
    private void SendControl(FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        SocketException failure;
        lock (_send)
        {
            if (_closed is not null)
            {
                return;
            }

            try
            {
                Flush(Frame(_pending, payload, type, flags, streamId));
                return;
            }
            catch (SocketException ex)
            {
                failure = ex;
            }
        }

        Close(new Status(StatusCode.Unavailable, "the connection failed while sending: " + failure.Message));
    }

    private void SendPreface()
    {
        Span<byte> settings = stackalloc byte[18];
        Setting(settings, SettingsEnablePush, 0);
        Setting(settings[6..], SettingsInitialWindowSize, ReceiveWindow);
        Setting(settings[12..], SettingsHeaderTableSize, HpackDecoder.MaxTableSize);
        Span<byte> window = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(window, ReceiveWindow - DefaultInitialWindowSize);
        lock (_send)
        {
            Preface.CopyTo(_sendBuffer);
            var written = Frame(Preface.Length, settings, FrameType.Settings, 0, 0);
            Flush(Frame(written, window, FrameType.WindowUpdate, 0, 0));
        }

        static void Setting(Span<byte> destination, ushort id, int value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, id);
            BinaryPrimitives.WriteInt32BigEndian(destination[2..], value);
        }
    }

    /// <summary>Ends the call (at most once: whoever takes it out of the open table completes it).</summary>
    private void Complete(Http2Call call, Status status, System.Buffers.ReadOnlySequence<byte> message)
    {
        if (Thread.CurrentThread == _reader)
        {
            call.Wire = call.Wire with { StreamId = call.StreamId, ResponseBytesEnd = _frameEnd, ResponseReadAt = _receivedAt };
        }

        call.StreamId = 0;
        call.OnCompleted(status, message);
    }

    /// <summary>
    /// Fails every open call and refuses new ones; the first reason given is kept, later calls do nothing. Any thread
    /// may call it, several at once: once <see cref="_closed"/> is set under the send lock no writer touches the
    /// socket again, and shutting it down ends the reader.
    /// </summary>
    private void Close(Status reason)
    {
        List<Http2Call> open;
        lock (_send)
        {
            if (_closed is not null)
            {
                return;
            }

            _closed = reason;
            Monitor.PulseAll(_send);
        }

        _settingsReceived.Set();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: the peer reset it, or the reader, ending on the peer's close meanwhile, disposed it.
        }

        lock (_streams)
        {
            open = [.. _open.Values];
            _open.Clear();
        }

        foreach (var call in open)
        {
            Complete(call, reason, default);
        }
    }
}
