using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// A minimal pipelined RESP2 client: one socket, commands written whole (pre-encoded by the caller), replies matched to
/// commands in order. Written by hand rather than taken from StackExchange.Redis (3.4.35 restores, and the server's
/// fan-out uses it) because the race must give Redis its best case at the same client concurrency as the gate, whose
/// side also sends pre-encoded requests: an interleaved A/B against one redis-server measured StackExchange.Redis 3's
/// SetContainsAsync at 3.9-4.5M recipients/s where these pre-encoded commands on N sockets reached 5.7-5.9M. The
/// client costs almost nothing, so any gap is the server's. One reader thread per connection reads the replies with
/// blocking receives; the race's workers continue on it and write their next command there, so that a burst of
/// replies brings one burst of commands back in one write (the gate's side gets the same from DirectCheckStreams).
/// Replies understood: integers, arrays of integers (summed: the number of members present), simple strings, errors.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly object _send = new();
    private readonly Queue<TaskCompletionSource<long>> _pending = new(); // Under _send: the reply order is the write order.
    private readonly Thread _reader;
    private byte[] _sendBuffer = new byte[64 * 1024];
    private int _framed; // Bytes of commands in _sendBuffer not sent yet (under _send).
    private int _writersWaiting;
    private bool _readerFramed; // Reader thread only.
    private volatile Exception? _failure;

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "resp reader" };
        _reader.Start();
    }

    /// <summary>
    /// Connects with synchronous socket calls only, as the direct HTTP/2 client does (Http2Connection): one
    /// asynchronous call would put the socket in .NET's emulated-blocking mode, whose waits go through the thread pool.
    /// </summary>
    public static RespConnection Connect(string host, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RespConnection(socket);
    }

    /// <summary>Encodes a command as a RESP array of bulk strings.</summary>
    public static byte[] Encode(string command, string? key, IReadOnlyList<string> arguments)
    {
        var sb = new StringBuilder();
        var parts = 1 + (key is null ? 0 : 1) + arguments.Count;
        sb.Append('*').Append(parts).Append("\r\n");
        Bulk(sb, command);
        if (key is not null)
        {
            Bulk(sb, key);
        }

        foreach (var argument in arguments)
        {
            Bulk(sb, argument);
        }

        return Encoding.UTF8.GetBytes(sb.ToString());

        static void Bulk(StringBuilder sb, string value) =>
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(value)).Append("\r\n").Append(value).Append("\r\n");
    }

    /// <summary>
    /// Sends one encoded command and returns its reply: an integer, the sum of an integer array (SMISMEMBER: members
    /// present), or 0 for a simple string. A Redis error reply throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public Task<long> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken) =>
        SendAsync(command, continueOnReader: false, cancellationToken);

    /// <param name="continueOnReader">
    /// The caller's continuation runs on the reader thread that reads its reply, so that a race worker's next command
    /// is written there and goes out with the others of the same burst, with no thread-pool hop either way: the same
    /// as the gate's side gets from DirectCheckStreams, so that the race's two sides have equally bare clients. Only
    /// for a caller that sends again or returns at once (RunLoop's workers): anything that blocks there stops the reads.
    /// </param>
    public Task<long> SendAsync(ReadOnlyMemory<byte> command, bool continueOnReader, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = new TaskCompletionSource<long>(continueOnReader ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        var onReader = Thread.CurrentThread == _reader;
        if (!onReader)
        {
            Interlocked.Increment(ref _writersWaiting);
        }

        try
        {
            lock (_send)
            {
                if (!onReader)
                {
                    Interlocked.Decrement(ref _writersWaiting);
                }

                if (_failure is { } failure)
                {
                    return Task.FromException<long>(new IOException("The Redis connection failed.", failure));
                }

                _pending.Enqueue(reply);
                if (_framed + command.Length > _sendBuffer.Length)
                {
                    Array.Resize(ref _sendBuffer, Math.Max(_sendBuffer.Length * 2, _framed + command.Length));
                }

                command.Span.CopyTo(_sendBuffer.AsSpan(_framed));
                _framed += command.Length;

                // The reader sends what its continuations wrote once it has taken all it read (ReadLoop); any
                // other writer sends unless another is already waiting to add to the same write.
                if (onReader)
                {
                    _readerFramed = true;
                }
                else if (Volatile.Read(ref _writersWaiting) == 0)
                {
                    Flush();
                }
            }
        }
        catch (SocketException ex)
        {
            Fail(ex);
        }

        return reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(RespConnection)));
        await Task.Run(_reader.Join);
        _socket.Dispose();
    }

    /// <summary>
    /// Parses one whole reply at the start of <paramref name="buffer"/>; false when it is not all there yet.
    /// </summary>
    internal static bool TryParseReply(ReadOnlySpan<byte> buffer, out int consumed, out long value, out string? error)
    {
        consumed = 0;
        value = 0;
        error = null;
        if (!TryReadLine(buffer, 0, out var line, out var next))
        {
            return false;
        }

        switch (line[0])
        {
            case (byte)':':
                value = ParseLong(line[1..]);
                break;
            case (byte)'+':
                break;
            case (byte)'-':
                error = Encoding.UTF8.GetString(line[1..]);
                break;
            case (byte)'$':
                var length = ParseLong(line[1..]);
                if (length >= 0)
                {
                    if (buffer.Length < next + length + 2)
                    {
                        return false;
                    }

                    next += (int)length + 2;
                    value = length;
                }

                break;
            case (byte)'*':
                var count = ParseLong(line[1..]);
                for (long i = 0; i < count; i++)
                {
                    if (!TryReadLine(buffer, next, out var element, out next))
                    {
                        return false;
                    }

                    if (element[0] != (byte)':')
                    {
                        throw new InvalidDataException("Only arrays of integers are expected from Redis here.");
                    }

                    value += ParseLong(element[1..]);
                }

                break;
            default:
                throw new InvalidDataException($"Unexpected RESP type byte 0x{line[0]:x2}.");
        }

        consumed = next;
        return true;
    }

    private static bool TryReadLine(ReadOnlySpan<byte> buffer, int from, out ReadOnlySpan<byte> line, out int next)
    {
        var end = buffer[from..].IndexOf((byte)'\n');
        if (end < 1)
        {
            line = default;
            next = from;
            return false;
        }

        line = buffer.Slice(from, end - 1);
        next = from + end + 1;
        return true;
    }

    private static long ParseLong(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out var used) && used == digits.Length
            ? value
            : throw new InvalidDataException("Bad RESP integer.");

    /// <summary>The reader thread: replies in order, each completing the oldest command waiting.</summary>
    private void ReadLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = _socket.Receive(buffer.AsSpan(filled), SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("Redis closed the connection.");
                }

                filled += read;
                var start = 0;
                while (start < filled && TryParseReply(buffer.AsSpan(start, filled - start), out var consumed, out var value, out var error))
                {
                    start += consumed;
                    TaskCompletionSource<long>? reply;
                    lock (_send)
                    {
                        _pending.TryDequeue(out reply);
                    }

                    if (reply is null)
                    {
                        throw new InvalidDataException("A Redis reply arrived for no command.");
                    }

                    if (error is null)
                    {
                        reply.TrySetResult(value);
                    }
                    else
                    {
                        reply.TrySetException(new InvalidOperationException("Redis: " + error));
                    }
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
                if (_readerFramed)
                {
                    _readerFramed = false;
                    lock (_send)
                    {
                        if (_framed > 0 && Volatile.Read(ref _writersWaiting) == 0)
                        {
                            Flush();
                        }
                    }
                }
            }
        }
#pragma warning disable CA1031 // The reader's failure is handed to every command still waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends every framed command (under the send lock).</summary>
    private void Flush()
    {
        var sent = 0;
        while (sent < _framed)
        {
            sent += _socket.Send(_sendBuffer.AsSpan(sent, _framed - sent), SocketFlags.None);
        }

        _framed = 0;
    }

    /// <summary>Ends the connection: the first failure is kept, every command waiting fails with it, the reader stops.</summary>
    private void Fail(Exception failure)
    {
        List<TaskCompletionSource<long>> waiting;
        lock (_send)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = failure;
            waiting = [.. _pending];
            _pending.Clear();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        foreach (var reply in waiting)
        {
            reply.TrySetException(new IOException("The Redis connection failed.", failure));
        }
    }
}
