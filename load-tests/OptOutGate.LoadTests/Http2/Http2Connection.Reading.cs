using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Grpc.Core;
using static OptOutGate.LoadTests.Http2.Http2Protocol;

namespace OptOutGate.LoadTests.Http2;

/// <summary>The reader thread: every frame the server sends, in order, and the calls they complete.</summary>
internal sealed partial class Http2Connection
{
    /// <summary>The largest response message accepted (the load generator's limit for the project's client too).</summary>
    private const int MaxResponseMessageSize = 64 * 1024 * 1024;

    private readonly HpackDecoder _hpack = new();
    private byte[] _headerBlock = new byte[DefaultMaxFrameSize];
    private int _headerBlockLength;
    private int _headerStream;
    private bool _headerEndsStream;
    private long _receivedSinceWindowUpdate;
    private Status? _goingAway;
    private long _bytesReceived; // Since the connection opened (reader thread only), with the two below: the calls' WireMarks.
    private long _receivedAt; // When the last socket read returned.
    private long _frameEnd; // The received bytes up to the end of the frame being handled.

    /// <summary>
    /// Reads until the connection closes, then disposes the socket: the reader is the last to use it (writers stop at
    /// <see cref="Close"/>, which every way out of this loop has called), so no other thread disposes it under a
    /// read or a control frame still being written.
    /// </summary>
    private void ReadLoop()
    {
        var buffer = new byte[4 * (FrameHeaderSize + DefaultMaxFrameSize)];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var received = _socket.Receive(buffer.AsSpan(end), SocketFlags.None);
                if (received == 0)
                {
                    Close(new Status(StatusCode.Unavailable, "the server closed the connection"));
                    return;
                }

                end += received;
                _bytesReceived += received;
                _receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                while (end - start >= FrameHeaderSize)
                {
                    var (length, type, flags, streamId) = ReadFrameHeader(buffer.AsSpan(start));
                    if (length > DefaultMaxFrameSize)
                    {
                        throw new Http2ProtocolException($"a {type} frame of {length} bytes, over the {DefaultMaxFrameSize} this client allows", FrameSizeError);
                    }

                    if (end - start < FrameHeaderSize + length)
                    {
                        break;
                    }

                    _frameEnd = _bytesReceived - (end - (start + FrameHeaderSize + length));
                    OnFrame(type, flags, streamId, buffer.AsSpan(start + FrameHeaderSize, length));
                    start += FrameHeaderSize + length;
                }

                if (_readerFramed)
                {
                    FlushFromReader();
                }

                if (start == end)
                {
                    (start, end) = (0, 0);
                }
                else if (buffer.Length - end < FrameHeaderSize + DefaultMaxFrameSize)
                {
                    // Room for at least one more whole frame: move the partial one to the front.
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    (start, end) = (0, end - start);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Close(new Status(StatusCode.Unavailable, "the connection failed: " + ex.Message));
        }
        catch (Http2ProtocolException ex)
        {
            Abort(ex.ErrorCode, "an HTTP/2 protocol error from the server: " + ex.Message);
        }
        catch (HpackException ex)
        {
            Abort(CompressionError, ex.Message);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private void OnFrame(FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (_headerStream != 0 && type != FrameType.Continuation)
        {
            throw new Http2ProtocolException($"a {type} frame inside the header block of stream {_headerStream}");
        }

        switch (type)
        {
            case FrameType.Data:
                OnData(flags, streamId, payload);
                break;
            case FrameType.Headers:
                OnHeaders(flags, streamId, payload);
                break;
            case FrameType.Continuation:
                OnContinuation(flags, streamId, payload);
                break;
            case FrameType.RstStream:
                var code = BinaryPrimitives.ReadUInt32BigEndian(Exactly(payload, 4, type));
                if (Take(streamId) is { } reset)
                {
                    Complete(reset, new Status(GrpcHttpMapping.FromHttp2ErrorCode(code), $"the server reset the stream (HTTP/2 error code {code})"), default);
                }

                break;
            case FrameType.Settings:
                OnSettings(flags, payload);
                break;
            case FrameType.Ping when (flags & Ack) == 0:
                SendControl(FrameType.Ping, Ack, 0, Exactly(payload, 8, type));
                break;
            case FrameType.GoAway:
                OnGoAway(payload);
                break;
            case FrameType.WindowUpdate:
                OnWindowUpdate(streamId, BinaryPrimitives.ReadInt32BigEndian(Exactly(payload, 4, type)) & int.MaxValue);
                break;
            case FrameType.PushPromise:
                throw new Http2ProtocolException("PUSH_PROMISE, though this client disabled push");
            default:
                break; // PRIORITY, PING acknowledgements and unknown types carry nothing for this client.
        }
    }

    private void OnData(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        // Connection flow control counts the whole payload, padding included; give it back before it runs low.
        _receivedSinceWindowUpdate += payload.Length;
        if (_receivedSinceWindowUpdate >= ReceiveWindow / 2)
        {
            Span<byte> increment = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(increment, (int)_receivedSinceWindowUpdate);
            SendControl(FrameType.WindowUpdate, 0, 0, increment);
            _receivedSinceWindowUpdate = 0;
        }

        var data = Unpad(flags, payload, FrameType.Data);
        if (Find(streamId) is not { } call)
        {
            return; // A stream already ended (reset, or failed here).
        }

        // The stream's own window, for a stream that lives long enough to receive half of it (2^30 bytes).
        call.ReceivedSinceWindowUpdate += payload.Length;
        if (call.ReceivedSinceWindowUpdate >= ReceiveWindow / 2)
        {
            Span<byte> increment = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(increment, (int)call.ReceivedSinceWindowUpdate);
            SendControl(FrameType.WindowUpdate, 0, streamId, increment);
            call.ReceivedSinceWindowUpdate = 0;
        }

        if (!call.HeadersReceived)
        {
            Fail(call, new Status(StatusCode.Internal, "DATA before the response headers"), ProtocolError);
        }
        else if (call.BodyLength + (long)data.Length > MaxResponseMessageSize + MessageFraming.HeaderSize)
        {
            Fail(call, new Status(StatusCode.ResourceExhausted, $"a response over the {MaxResponseMessageSize} bytes this client accepts"), Cancel);
        }
        else if (call.AppendBody(data) is { } unreadable)
        {
            Fail(call, unreadable, Cancel);
        }
        else
        {
            if ((flags & EndStream) != 0)
            {
                Fail(call, new Status(StatusCode.Internal, "the response ended without trailers (no grpc-status)"), null);
            }
        }
    }

    private void OnHeaders(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var fragment = Unpad(flags, payload, FrameType.Headers);
        if ((flags & Priority) != 0)
        {
            fragment = fragment.Length >= 5 ? fragment[5..] : throw new Http2ProtocolException("a HEADERS frame too short for its priority fields");
        }

        _headerEndsStream = (flags & EndStream) != 0;
        _headerBlockLength = 0;
        AppendHeaderBlock(fragment);
        if ((flags & EndHeaders) != 0)
        {
            OnHeaderBlock(streamId);
        }
        else
        {
            _headerStream = streamId;
        }
    }

    private void OnContinuation(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (_headerStream == 0 || streamId != _headerStream)
        {
            throw new Http2ProtocolException($"CONTINUATION on stream {streamId} outside a header block");
        }

        AppendHeaderBlock(payload);
        if ((flags & EndHeaders) != 0)
        {
            _headerStream = 0;
            OnHeaderBlock(streamId);
        }
    }

    private void AppendHeaderBlock(ReadOnlySpan<byte> fragment)
    {
        if (_headerBlockLength + fragment.Length > _headerBlock.Length)
        {
            if (_headerBlockLength + fragment.Length > 1024 * 1024)
            {
                throw new Http2ProtocolException("a header block over 1 MiB", EnhanceYourCalm);
            }

            Array.Resize(ref _headerBlock, Math.Max(_headerBlock.Length * 2, _headerBlockLength + fragment.Length));
        }

        fragment.CopyTo(_headerBlock.AsSpan(_headerBlockLength));
        _headerBlockLength += fragment.Length;
    }

    /// <summary>A whole header block: decoded whatever its stream (the HPACK tables must follow every block), then applied.</summary>
    private void OnHeaderBlock(int streamId)
    {
        var fields = _hpack.Decode(_headerBlock.AsSpan(0, _headerBlockLength));
        if (Find(streamId) is not { } call)
        {
            return;
        }

        var first = !call.HeadersReceived;
        if (first && call.AcceptHeaders(fields) is { } refused)
        {
            Fail(call, refused, _headerEndsStream ? null : Cancel);
            return;
        }

        if (!_headerEndsStream)
        {
            if (!first)
            {
                Fail(call, new Status(StatusCode.Internal, "trailers without END_STREAM"), ProtocolError);
            }

            return; // The response headers; the message and the trailers follow.
        }

        // The trailers, or a trailers-only response (PROTOCOL-HTTP2.md): either way the call's end.
        Take(streamId);
        Status status;
        ReadOnlySequence<byte> message;
        try
        {
            (status, message) = call.Finish(fields);
        }
        catch (RpcException ex)
        {
            (status, message) = (ex.Status, default);
        }

        Complete(call, status, message);
    }

    private void OnSettings(byte flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & Ack) != 0)
        {
            return;
        }

        if (payload.Length % 6 != 0)
        {
            throw new Http2ProtocolException($"a SETTINGS frame of {payload.Length} bytes", FrameSizeError);
        }

        for (var i = 0; i < payload.Length; i += 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            switch (id)
            {
                case SettingsMaxConcurrentStreams:
                    MaxConcurrentStreams = (int)Math.Min(value, int.MaxValue);
                    break;
                case SettingsInitialWindowSize when value > MaxWindowSize:
                    throw new Http2ProtocolException($"SETTINGS_INITIAL_WINDOW_SIZE {value}", FlowControlError);
                case SettingsInitialWindowSize:
                    ChangeInitialWindow((int)value);
                    break;
                case SettingsMaxFrameSize when value < DefaultMaxFrameSize || value > 16_777_215:
                    throw new Http2ProtocolException($"SETTINGS_MAX_FRAME_SIZE {value}");
                case SettingsMaxFrameSize:
                    lock (_send)
                    {
                        _peerMaxFrameSize = (int)value;
                    }

                    break;
                default:
                    break; // The header table size only bounds an encoder's dynamic table; this client's uses none.
            }
        }

        SendControl(FrameType.Settings, Ack, 0, []);
        _settingsReceived.Set();
    }

    /// <summary>A new initial window changes every open stream's window by the difference (RFC 9113 section 6.9.2).</summary>
    private void ChangeInitialWindow(int value)
    {
        lock (_send)
        {
            var delta = value - _peerInitialWindow;
            _peerInitialWindow = value;
            lock (_streams)
            {
                foreach (var call in _open.Values)
                {
                    call.SendWindow += delta;
                }
            }

            Monitor.PulseAll(_send);
        }
    }

    private void OnWindowUpdate(int streamId, int increment)
    {
        if (increment == 0)
        {
            throw new Http2ProtocolException($"a WINDOW_UPDATE of 0 on stream {streamId}");
        }

        lock (_send)
        {
            if (streamId == 0)
            {
                _connectionSendWindow += increment;
            }
            else if (Find(streamId) is { } call)
            {
                call.SendWindow += increment;
            }

            Monitor.PulseAll(_send);
        }
    }

    /// <summary>GOAWAY: streams after the last one the server will process are refused (UNAVAILABLE); no new ones start.</summary>
    private void OnGoAway(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            throw new Http2ProtocolException("a GOAWAY frame shorter than 8 bytes", FrameSizeError);
        }

        var lastStreamId = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
        var code = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        var debug = payload.Length > 8 ? ": " + System.Text.Encoding.UTF8.GetString(payload[8..]) : string.Empty;
        var reason = new Status(StatusCode.Unavailable, $"the server is closing the connection (GOAWAY, HTTP/2 error code {code}{debug})");
        lock (_send)
        {
            _goingAway ??= reason;
        }

        List<Http2Call> refused;
        lock (_streams)
        {
            refused = [.. _open.Values.Where(call => call.StreamId > lastStreamId)];
            foreach (var call in refused)
            {
                _open.Remove(call.StreamId);
            }
        }

        foreach (var call in refused)
        {
            Complete(call, reason, default);
        }
    }

    /// <summary>Ends one call from this side: out of the open table, RST_STREAM when the server may still send on it.</summary>
    private void Fail(Http2Call call, Status status, uint? resetCode)
    {
        var streamId = call.StreamId;
        Take(streamId);
        if (resetCode is { } code)
        {
            Span<byte> payload = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(payload, code);
            SendControl(FrameType.RstStream, 0, streamId, payload);
        }

        Complete(call, status, default);
    }

    /// <summary>A connection error: GOAWAY to the server, then every call fails with INTERNAL.</summary>
    private void Abort(uint errorCode, string problem)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, 0);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], errorCode);
        lock (_send)
        {
            try
            {
                if (_closed is null)
                {
                    Flush(Frame(_pending, payload, FrameType.GoAway, 0, 0));
                }
            }
            catch (SocketException)
            {
                // The server has gone already; the protocol error is still the reason to report.
            }
        }

        Close(new Status(StatusCode.Internal, problem));
    }

    private Http2Call? Find(int streamId)
    {
        lock (_streams)
        {
            return _open.GetValueOrDefault(streamId);
        }
    }

    private Http2Call? Take(int streamId)
    {
        lock (_streams)
        {
            return _open.Remove(streamId, out var call) ? call : null;
        }
    }

    private static ReadOnlySpan<byte> Unpad(byte flags, ReadOnlySpan<byte> payload, FrameType type)
    {
        if ((flags & Padded) == 0)
        {
            return payload;
        }

        if (payload.Length == 0 || payload[0] >= payload.Length)
        {
            throw new Http2ProtocolException($"a padded {type} frame with more padding than payload");
        }

        return payload[1..^payload[0]];
    }

    private static ReadOnlySpan<byte> Exactly(ReadOnlySpan<byte> payload, int length, FrameType type) =>
        payload.Length == length ? payload : throw new Http2ProtocolException($"a {type} frame of {payload.Length} bytes, not {length}", FrameSizeError);
}

/// <summary>A connection error in what the server sent (RFC 9113 section 5.4.1), with the HTTP/2 error code to report.</summary>
internal sealed class Http2ProtocolException(string problem, uint errorCode = Http2Protocol.ProtocolError) : Exception(problem)
{
    public uint ErrorCode { get; } = errorCode;
}
