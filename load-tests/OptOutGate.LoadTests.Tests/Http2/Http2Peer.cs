using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using OptOutGate.LoadTests.Http2;
using Grpc.Core;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>
/// The server side of a hand-made HTTP/2 peer: frames written byte by byte by the test, so a test can end or break a
/// connection in ways a real server never would.
/// </summary>
internal static class Http2Peer
{
    public const byte Data = 0x0, RstStream = 0x3, Settings = 0x4, PushPromise = 0x5, GoAway = 0x7;

    /// <summary>Reads the client preface and answers with an empty SETTINGS frame.</summary>
    public static void AnswerHandshake(NetworkStream stream)
    {
        ReadExactly(stream, 24);
        stream.Write(Frame(Settings, 0, 0, []));
    }

    /// <summary>Reads frames until the client's first request has ended (its last DATA frame), acknowledging SETTINGS.</summary>
    public static void ReadRequest(NetworkStream stream)
    {
        while (true)
        {
            var header = ReadExactly(stream, 9);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var (type, flags) = (header[3], header[4]);
            ReadExactly(stream, length);
            if (type == Settings && (flags & 0x1) == 0)
            {
                stream.Write(Frame(Settings, 0x1, 0, [])); // SETTINGS ACK.
            }

            if (type == Data && (flags & 0x1) != 0)
            {
                return;
            }
        }
    }

    public static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    public static byte[] ReadExactly(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Keeps the socket open until the client closes it, so the ending tested is the frame, not a close.</summary>
    public static void ReadUntilClosed(NetworkStream stream)
    {
        var buffer = new byte[1024];
        try
        {
            while (stream.Read(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // The client reset the connection: it has gone.
        }
    }

    /// <summary>A call that records its completions (a connection must complete each call exactly once).</summary>
    internal sealed class RecordingCall(Action? thenOnTheReader = null) : Http2UnaryCall
    {
        private int _completions;

        public TaskCompletionSource<Status> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Completions => Volatile.Read(ref _completions);

        protected internal override void OnCompleted(Status status, ReadOnlySequence<byte> message)
        {
            Interlocked.Increment(ref _completions);
            Completed.TrySetResult(status);
            thenOnTheReader?.Invoke();
        }
    }
}
