using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OptOutGate.LoadTests.Http2;
using OptOutGate.Rpc;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>
/// How the direct client ends a call the server ends: a hand-made HTTP/2 peer (frames written by the test) answers the
/// handshake, reads one request, then sends GOAWAY, resets the stream, or closes the socket. The call must complete
/// with gRPC's status for it, never hang.
/// </summary>
public sealed class Http2ConnectionEndingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("goaway", StatusCode.Unavailable, "GOAWAY, HTTP/2 error code 0: draining")]
    [InlineData("reset", StatusCode.Unavailable, "reset the stream (HTTP/2 error code 7)")]
    [InlineData("close", StatusCode.Unavailable, "the server closed the connection")]
    public async Task AServerEndingTheCall_EndsItWithItsStatus(string how, StatusCode code, string detail)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = Task.Run(() => ServeOneRequest(listener, how));

        using var connection = Http2Connection.Connect("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, Timeout);
        var call = new RecordingCall();
        connection.Start(call, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 1, 8]);

        var status = await call.Completed.Task.WaitAsync(Timeout);
        Assert.Equal(code, status.Code);
        Assert.Contains(detail, status.Detail, StringComparison.Ordinal);

        // A connection the server has left refuses new calls at once with the same kind of status.
        var next = new RecordingCall();
        connection.Start(next, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 1, 8]);
        Assert.Equal(StatusCode.Unavailable, (await next.Completed.Task.WaitAsync(Timeout)).Code);

        connection.Dispose();
        await peer.WaitAsync(Timeout);
    }

    /// <summary>The peer: the server preface, the client's request read to its END_STREAM, then the ending asked for.</summary>
    private static void ServeOneRequest(TcpListener listener, string how)
    {
        using var client = listener.AcceptTcpClient();
        var stream = client.GetStream();
        ReadExactly(stream, 24); // The client preface.
        stream.Write(Frame(0x4, 0, 0, [])); // SETTINGS, nothing changed.
        while (true)
        {
            var header = ReadExactly(stream, 9);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var (type, flags) = (header[3], header[4]);
            ReadExactly(stream, length);
            if (type == 0x4 && (flags & 0x1) == 0)
            {
                stream.Write(Frame(0x4, 0x1, 0, [])); // SETTINGS ACK.
            }

            if (type == 0x0 && (flags & 0x1) != 0)
            {
                break; // The request's last DATA frame.
            }
        }

        var payload = new byte[8];
        switch (how)
        {
            case "goaway":
                BinaryPrimitives.WriteInt32BigEndian(payload, 0); // Last stream processed: none.
                stream.Write(Frame(0x7, 0, 0, [.. payload, .. "draining"u8]));
                ReadUntilClosed(stream);
                break;
            case "reset":
                BinaryPrimitives.WriteUInt32BigEndian(payload, 7); // REFUSED_STREAM.
                stream.Write(Frame(0x3, 0, 1, payload[..4]));
                stream.Write(Frame(0x7, 0, 0, new byte[8])); // Then GOAWAY, so the second call is refused too.
                ReadUntilClosed(stream);
                break;
            default:
                break; // Closing the socket is the whole answer.
        }
    }

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
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

    private static byte[] ReadExactly(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Keeps the socket open until the client closes it, so the ending tested is the frame, not a close.</summary>
    private static void ReadUntilClosed(NetworkStream stream)
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

    private sealed class RecordingCall : Http2UnaryCall
    {
        public TaskCompletionSource<Status> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected internal override void OnCompleted(Status status, ReadOnlySequence<byte> message) => Completed.TrySetResult(status);
    }
}
