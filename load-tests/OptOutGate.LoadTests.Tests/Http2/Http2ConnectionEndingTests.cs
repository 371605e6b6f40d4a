using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OptOutGate.LoadTests.Http2;
using Grpc.Core;

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
        var call = new Http2Peer.RecordingCall();
        connection.Start(call, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 1, 8]);

        var status = await call.Completed.Task.WaitAsync(Timeout);
        Assert.Equal(code, status.StatusCode);
        Assert.Contains(detail, status.Detail, StringComparison.Ordinal);

        // A connection the server has left refuses new calls at once with the same kind of status.
        var next = new Http2Peer.RecordingCall();
        connection.Start(next, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 1, 8]);
        Assert.Equal(StatusCode.Unavailable, (await next.Completed.Task.WaitAsync(Timeout)).StatusCode);

        connection.Dispose();
        await peer.WaitAsync(Timeout);
    }

    /// <summary>The peer: the server preface, the client's request read to its END_STREAM, then the ending asked for.</summary>
    private static void ServeOneRequest(TcpListener listener, string how)
    {
        using var client = listener.AcceptTcpClient();
        var stream = client.GetStream();
        Http2Peer.AnswerHandshake(stream);
        Http2Peer.ReadRequest(stream);

        var payload = new byte[8];
        switch (how)
        {
            case "goaway":
                BinaryPrimitives.WriteInt32BigEndian(payload, 0); // Last stream processed: none.
                stream.Write(Http2Peer.Frame(Http2Peer.GoAway, 0, 0, [.. payload, .. "draining"u8]));
                Http2Peer.ReadUntilClosed(stream);
                break;
            case "reset":
                BinaryPrimitives.WriteUInt32BigEndian(payload, 7); // REFUSED_STREAM.
                stream.Write(Http2Peer.Frame(Http2Peer.RstStream, 0, 1, payload[..4]));
                stream.Write(Http2Peer.Frame(Http2Peer.GoAway, 0, 0, new byte[8])); // Then GOAWAY, so the second call is refused too.
                Http2Peer.ReadUntilClosed(stream);
                break;
            default:
                break; // Closing the socket is the whole answer.
        }
    }
}
