using System.Globalization;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>
/// A million-line dry run with its diff through the real server in this process (run alone, after every other test, so
/// that the managed heap is the gate's and this client's): the server answers every line while the client is still
/// sending (the client waits for each 10,000 lines' outcomes before it sends more), every tenth line repeats an earlier
/// one and is ALREADY_PRESENT, and the live managed heap after a full collection is flat from 100,000 to 1,000,000 lines.
/// The dry run's set of counted recipients held in memory took 16 MB at a million (2 MB at 100,000); holding the
/// outcomes would add about 300 bytes a line, the lines about as much.
/// </summary>
[Collection(ServerTestCollection.Name)]
public sealed class ImportDiffMemoryTests(ITestOutputHelper output)
{
    private const int Lines = 1_000_000;
    private const int Chunk = 10_000;
    private const int Baseline = 100_000;
    private const int RepeatEvery = 10;
    private const long AllowedGrowth = 4L << 20;

    [Fact]
    public async Task MillionLineDryRunDiff_StreamsEveryOutcome_WithAFlatManagedHeap()
    {
        await using var gate = await GateTestServer.StartAsync();
        var scratch = Path.Combine(gate.DataDirectory, "scratch");
        using var call = gate.Admin.ImportOptOutsWithDiff(deadline: DateTime.UtcNow.AddMinutes(15));

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
        long largestFile = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        for (var sent = 0; sent < Lines;)
        {
            var request = new ImportOptOutsRequest();
            for (var i = 0; i < Chunk; i++)
            {
                sent++;
                request.Lines.Add(new ImportLine { Recipient = Recipient(sent) });
            }

            await call.RequestStream.WriteAsync(request);

            while (outcomes < sent)
            {
                Assert.True(await responses.MoveNext(), "the answer ended before every line's outcome");
                Assert.Null(responses.Current.Summary);
                foreach (var line in responses.Current.Lines)
                {
                    Assert.Equal((ulong)++outcomes, line.LineNumber);
                    Assert.Equal(outcomes % RepeatEvery == 0 ? ImportLineResult.AlreadyPresent : ImportLineResult.Added, line.Result);
                }
            }

            if (sent % Baseline == 0)
            {
                final = LiveManagedBytes();
                baseline = baseline == 0 ? final : baseline;
                peak = Math.Max(peak, final);
                var file = Directory.EnumerateFiles(scratch).Sum(f => new FileInfo(f).Length);
                output.WriteLine($"{outcomes:N0} outcomes received: live managed heap {final / 1048576.0:N1} MB, heap after the last collection {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:N1} MB, dry run's file {file / 1048576.0:N0} MB");
                largestFile = Math.Max(largestFile, file);
            }
        }

        await call.RequestStream.CompleteAsync();
        Assert.True(await responses.MoveNext());
        var summary = responses.Current.Summary;
        Assert.NotNull(summary);
        Assert.False(await responses.MoveNext());
        Assert.Equal((ulong)(Lines - (Lines / RepeatEvery)), summary.Added);
        Assert.Equal((ulong)(Lines / RepeatEvery), summary.AlreadyPresent);
        Assert.Equal(0UL, summary.Invalid);

        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        output.WriteLine($"live managed heap from {Baseline:N0} to {Lines:N0} lines: {(final - baseline) / 1048576.0:N1} MB at the end, {(peak - baseline) / 1048576.0:N1} MB at the peak (allowed {AllowedGrowth >> 20} MB); allocated {allocated / (double)Lines:N0} bytes per line (client and server)");
        Assert.InRange(peak - baseline, long.MinValue, AllowedGrowth);

        // The counted recipients went to a temporary file in the data folder's scratch folder, deleted with the call.
        Assert.InRange(largestFile, 1, long.MaxValue);
        Assert.Empty(Directory.EnumerateFiles(scratch));
    }

    /// <summary>Line n's recipient; every tenth line repeats the number of the line five before it.</summary>
    private static string Recipient(int line) =>
        "+1646" + (2_000_000 + (line % RepeatEvery == 0 ? line - 5 : line)).ToString(CultureInfo.InvariantCulture);

    private static long LiveManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
