using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>
/// A million-line dry run with its diff against the real server process: the server answers every line while the client
/// is still sending (the client waits for each 10,000 lines' outcomes before it sends more), and its resident memory
/// stays within a bound while 800,000 more lines go through. Holding the outcomes would add about 240 MB (some 300 bytes
/// per ImportLineOutcome: the message, its four repeated fields, the recipient string), holding the lines about as much;
/// what does grow is the dry run's set of counted recipients (16 MB at a million, its earlier tables of 2, 4 and 8 MB
/// on the large object heap until a full collection) and the heap's headroom: 45-65 MB measured.
/// </summary>
[Collection(ServerTestCollection.Name)]
public sealed class ImportDiffMemoryTests(ITestOutputHelper output)
{
    private const int Lines = 1_000_000;
    private const int Chunk = 10_000;
    private const int Baseline = 200_000;
    private const long AllowedGrowth = 96L << 20;

    [Fact]
    public async Task MillionLineDryRunDiff_StreamsEveryOutcome_InBoundedMemory()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        using var call = new AdminRpcClient(channel).ImportOptOutsWithDiff(deadline: DateTime.UtcNow.AddMinutes(10));

        // Lock step: the client sends the next 10,000 lines only once it holds every outcome of the lines before, which it
        // can only get if the server answers each line while the import is still open (no line waits for the end). (A
        // client that sends far ahead without reading stalls instead: the server stops reading lines while the answer's
        // HTTP/2 window is full.)
        await call.RequestStream.WriteAsync(new ImportOptOutsRequest
        {
            Options = new ImportOptions { SourceName = "million", Reason = "memory test", DryRun = true, Sender = "ACME", DiffFormat = ImportDiffFormat.Lines },
        });
        var responses = call.ResponseStream;
        long outcomes = 0;
        long baseline = 0;
        long final = 0;
        long peak = 0;
        for (var sent = 0; sent < Lines;)
        {
            var request = new ImportOptOutsRequest();
            for (var i = 0; i < Chunk; i++, sent++)
            {
                request.Lines.Add(new ImportLine { Recipient = "+1646" + (2_000_000 + sent).ToString(CultureInfo.InvariantCulture) });
            }

            await call.RequestStream.WriteAsync(request);

            while (outcomes < sent)
            {
                Assert.True(await responses.MoveNext(), "the answer ended before every line's outcome");
                Assert.Null(responses.Current.Summary);
                foreach (var line in responses.Current.Lines)
                {
                    Assert.Equal((ulong)++outcomes, line.LineNumber);
                    Assert.Equal(ImportLineResult.Added, line.Result);
                }
            }

            if (sent >= Baseline && sent % 100_000 == 0)
            {
                final = ResidentBytes(gate.ProcessId);
                baseline = baseline == 0 ? final : baseline;
                peak = Math.Max(peak, final);
                output.WriteLine($"{outcomes:N0} outcomes received: server resident {final / 1048576.0:N1} MB");
            }
        }

        await call.RequestStream.CompleteAsync();
        Assert.True(await responses.MoveNext());
        var summary = responses.Current.Summary;
        Assert.NotNull(summary);
        Assert.False(await responses.MoveNext());
        Assert.Equal((ulong)Lines, summary.Added);
        Assert.Equal(0UL, summary.AlreadyPresent + summary.Invalid);
        output.WriteLine($"growth from {Baseline:N0} to {Lines:N0} lines: {(final - baseline) / 1048576.0:N1} MB at the end, {(peak - baseline) / 1048576.0:N1} MB at the peak (allowed {AllowedGrowth >> 20} MB at the end)");
        Assert.InRange(final - baseline, long.MinValue, AllowedGrowth);
    }

    /// <summary>VmRSS of a process, from /proc (Linux).</summary>
    private static long ResidentBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/<pid>/status");
    }
}
