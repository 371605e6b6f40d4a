using System.Net;
using System.Net.Sockets;
using OptOutGate.LoadTests.Http2;
using Grpc.Core;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>
/// Closing a connection from several threads at once: the reader thread aborting on a protocol error, a failed connect
/// cleaning up, and callers disposing. Each path touches the socket; none may throw on the reader thread (an exception
/// there ends the whole process), and every open call completes exactly once. The races are real, so each test repeats
/// its scenario many times on several threads; one lost race used to crash the test host.
/// </summary>
public sealed class Http2ConnectionClosingRaceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int Rounds = 200;

    [Fact]
    public async Task Connect_ToPeersThatDoNotSpeakHttp2_FailsEveryTime_WhileTheReaderAborts()
    {
        // The reader aborts on the peer's first bytes and wakes Connect, which cleans up while the reader is still closing.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(Rounds);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                await client.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray());
            }
        });

        var failures = new IOException[Rounds];
        Parallel.For(0, Rounds, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            failures[i] = Assert.Throws<IOException>(() => Http2Connection.Connect("127.0.0.1", port, Timeout)));

        Assert.All(failures, static error => Assert.Contains("HTTP/2 protocol error", error.Message, StringComparison.Ordinal));
        await peer.WaitAsync(Timeout);
    }

    [Fact]
    public async Task DisposeOnTwoThreads_RacingAProtocolErrorFromThePeer_CompletesTheCallOnce()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        for (var round = 0; round < Rounds; round++)
        {
            using var go = new Barrier(3);
            var peer = Task.Run(() =>
            {
                using var client = listener.AcceptTcpClient();
                var stream = client.GetStream();
                Http2Peer.AnswerHandshake(stream);
                Http2Peer.ReadRequest(stream);
                go.SignalAndWait(Timeout);

                // PUSH_PROMISE, which this client disabled: the reader aborts the connection with a GOAWAY of its own,
                // unless the client's Dispose has closed it first.
                try
                {
                    stream.Write(Http2Peer.Frame(Http2Peer.PushPromise, 0x4, 1, new byte[4]));
                }
                catch (IOException)
                {
                    return;
                }

                Http2Peer.ReadUntilClosed(stream);
            });

            // The disposing threads start later each round, so the rounds span Dispose well before the reader's abort
            // to well after it, and the interleavings in between.
            var spin = round * 100;
            var connection = Http2Connection.Connect("127.0.0.1", port, Timeout);
            var call = new Http2Peer.RecordingCall();
            connection.Start(call, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 0]);
            var other = new Thread(() =>
            {
                go.SignalAndWait(Timeout);
                Thread.SpinWait(spin);
                connection.Dispose();
            });
            other.Start();
            go.SignalAndWait(Timeout);
            Thread.SpinWait(spin);
            connection.Dispose();
            other.Join();

            var status = await call.Completed.Task.WaitAsync(Timeout);
            Assert.Contains(status.StatusCode, new[] { StatusCode.Cancelled, StatusCode.Internal, StatusCode.Unavailable });
            Assert.Equal(1, call.Completions);

            // A closed connection refuses a new call at once, without touching the disposed socket.
            var late = new Http2Peer.RecordingCall();
            connection.Start(late, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 0]);
            Assert.Equal(status, await late.Completed.Task.WaitAsync(Timeout));
            await peer.WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task ACompletionThatDisposesItsConnection_OnTheReaderThread_EndsItCleanly()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = Task.Run(() =>
        {
            using var client = listener.AcceptTcpClient();
            var stream = client.GetStream();
            Http2Peer.AnswerHandshake(stream);
            Http2Peer.ReadRequest(stream);
            stream.Write(Http2Peer.Frame(Http2Peer.RstStream, 0, 1, [0, 0, 0, 8])); // CANCEL.
            Http2Peer.ReadUntilClosed(stream);
        });

        var connection = Http2Connection.Connect("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, Timeout);
        var call = new Http2Peer.RecordingCall(thenOnTheReader: connection.Dispose);
        connection.Start(call, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 0]);

        Assert.Equal(StatusCode.Cancelled, (await call.Completed.Task.WaitAsync(Timeout)).StatusCode);
        await peer.WaitAsync(Timeout); // The reader ended and closed the socket, so the peer saw the client go.
        connection.Dispose();
        var late = new Http2Peer.RecordingCall();
        connection.Start(late, RequestHeaderBlock.Encode("test", "/test.Service/Method", []), [0, 0, 0, 0, 0]);
        Assert.Equal(StatusCode.Cancelled, (await late.Completed.Task.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(1, call.Completions);
    }
}
