using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// A minimal pipelined RESP2 client: one socket, commands written whole (pre-encoded by the caller), replies matched to
/// commands in order. Written by hand rather than taken from StackExchange.Redis (3.4.35 restores, and the server's
/// fan-out uses it) because the race must give Redis its best case at the same client concurrency as the gate, whose
/// side also sends pre-encoded requests: an interleaved A/B against one redis-server measured StackExchange.Redis 3's
/// SetContainsAsync at 3.9-4.5M recipients/s where these pre-encoded commands on N sockets reached 5.7-5.9M. The
/// client costs almost nothing, so any gap is the server's.
/// Replies understood: integers, arrays of integers (summed: the number of members present), simple strings, errors.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<TaskCompletionSource<long>> _pending = new();
    private readonly Task _reader;
    private volatile Exception? _failure;

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<RespConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
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
    public async Task<long> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_failure is { } failure)
            {
                throw new IOException("The Redis connection failed.", failure);
            }

            // Queue before writing, under the lock: the reply order is the write order.
            _pending.Enqueue(reply);
            while (!command.IsEmpty)
            {
                var sent = await _socket.SendAsync(command, SocketFlags.None, cancellationToken);
                command = command[sent..];
            }

            // The reader may have failed between the check above and the enqueue; it drains only what it saw.
            if (_failure is { } late)
            {
                while (_pending.TryDequeue(out var waiting))
                {
                    waiting.TrySetException(new IOException("The Redis connection failed.", late));
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }

        return await reply.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        _socket.Dispose();
        await _reader.ContinueWith(static _ => { }, TaskScheduler.Default);
        _writeLock.Dispose();
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

    private async Task ReadLoopAsync()
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

                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("Redis closed the connection.");
                }

                filled += read;
                var start = 0;
                while (start < filled && TryParseReply(buffer.AsSpan(start, filled - start), out var consumed, out var value, out var error))
                {
                    start += consumed;
                    if (!_pending.TryDequeue(out var reply))
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
            }
        }
#pragma warning disable CA1031 // The reader's failure is handed to every command still waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failure = ex;
            while (_pending.TryDequeue(out var reply))
            {
                reply.TrySetException(new IOException("The Redis connection failed.", ex));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
