using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Diagnostics;

/// <summary>
/// Gate:CallTimelinePath: when the gate stops, every call of the gRPC listener is in calls.csv under its connection's
/// client port and its stream, with its moments in order, and reads.csv and flushes.csv count exactly the bytes the
/// client wrote and read on that connection (a load generator joins its calls to the gate's by those counts).
/// </summary>
public sealed class CallTimelineTests
{
    private const int Calls = 20;

    [Fact]
    public async Task TheGateWritesEachCallAndTheConnectionsBytes_AsTheClientCountedThem()
    {
        var directory = Directory.CreateTempSubdirectory("optoutgate-timeline-").FullName;
        try
        {
            var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
            {
                ["Gate:CallTimelinePath"] = directory,
                ["Gate:CallTimelineCalls"] = "1000",
            });
            CountingStream? connection = null;
            var localPort = 0;
            await using (gate)
            {
                using var handler = new SocketsHttpHandler
                {
                    ConnectCallback = async (context, token) =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await socket.ConnectAsync(context.DnsEndPoint, token);
                        localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
                        connection = new CountingStream(new NetworkStream(socket, ownsSocket: true));
                        return connection;
                    },
                };
                using var channel = GrpcChannel.ForAddress(gate.Address, new GrpcChannelOptions { HttpHandler = handler });
                var client = new Contracts.V1.Gate.GateClient(channel);
                for (var i = 0; i < Calls; i++)
                {
                    var request = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing, Recipients = { $"+1415555{i:0000}" } };
                    var answer = await client.CheckBatchAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
                    Assert.Equal([Verdict.Allowed], answer.Verdicts);
                }

                await gate.StopAsync();
            }

            Assert.NotNull(connection);
            var calls = Rows(Path.Combine(directory, "calls.csv")).Where(r => r[0] == localPort).ToList();
            var reads = Rows(Path.Combine(directory, "reads.csv")).Where(r => r[0] == localPort).Select(static r => r[1]).ToList();
            var flushes = Rows(Path.Combine(directory, "flushes.csv")).Where(r => r[0] == localPort).Select(static r => r[1]).ToList();

            // HttpClient numbers its streams 1, 3, 5...: one per call, in order.
            Assert.Equal(Enumerable.Range(0, Calls).Select(static i => (long)((2 * i) + 1)), calls.Select(static r => r[1]));
            Assert.All(calls, static r => Assert.True(r[2] <= r[3] && r[3] <= r[4] && r[4] <= r[5], "request start <= handler start <= handler end <= request end: " + string.Join(',', r)));
            Assert.Equal(reads.Order(), reads);
            Assert.Equal(reads.Count, reads.Distinct().Count());
            Assert.Equal(connection.BytesWritten, reads[^1]);
            Assert.Equal(flushes.Order(), flushes);
            Assert.True(connection.BytesRead <= flushes[^1], $"the client read {connection.BytesRead} bytes, the gate flushed {flushes[^1]}");
            Assert.Contains(connection.BytesRead, flushes);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ATimelineThatCannotBeWritten_IsLogged_AndTheGateStillStopsCleanly()
    {
        var file = Path.GetTempFileName(); // A directory cannot be made under a file, even by root.
        try
        {
            var gate = await GateTestServer.StartAsync(new Dictionary<string, string> { ["Gate:CallTimelinePath"] = Path.Combine(file, "timeline") });
            await using (gate)
            {
                var answer = await gate.Gate.CheckBatchAsync(new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing, Recipients = { "+14155550100" } }, GateTestServer.Options());
                Assert.Equal([Verdict.Allowed], answer.Verdicts);

                await gate.StopAsync();

                Assert.Contains("Call timeline could not be written to " + Path.Combine(file, "timeline"), gate.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<long[]> Rows(string path) =>
        [.. File.ReadLines(path).Skip(1).Select(static line => line.Split(',').Select(static f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray())];

    /// <summary>The connection's stream, counting the bytes the client wrote and read on it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _written;
        private long _read;

        public long BytesWritten => Interlocked.Read(ref _written);

        public long BytesRead => Interlocked.Read(ref _read);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Interlocked.Add(ref _written, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Interlocked.Add(ref _written, buffer.Length);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(int read)
        {
            Interlocked.Add(ref _read, read);
            return read;
        }
    }
}
