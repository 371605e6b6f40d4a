using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>
/// ImportOptOutsWithDiff through the real server: every line's outcome in line order (ADDED, CHANGED with the entries
/// before and after, ALREADY_PRESENT with the existing entry's source and date, INVALID with the reason), as messages
/// and as CSV; a dry run predicts the real run line by line and writes nothing.
/// </summary>
public sealed class ImportDiffTests
{
    private const string S = "+18005550100";
    private const string Present = "+14155550401";   // opted out at S before: ALREADY_PRESENT
    private const string AppOnly = "+14155550402";   // opted out at (S, promo) before: CHANGED, the whole sender after
    private const string TenantWide = "+14155550403"; // opted out tenant-wide before: CHANGED
    private const string Fresh = "+14155550404";     // nothing before: ADDED, then repeated: ALREADY_PRESENT

    [Fact]
    public async Task DryRunStreamsEveryLinesOutcome_AndTheRealRunsCsvSaysTheSameLineByLine()
    {
        await using var gate = await GateTestServer.StartAsync();
        var admin = new MoClient(gate.Channel);
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest
        {
            Scope = Scope.Sender, Sender = S, Recipients = { Present }, Reason = "old list",
        });
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.SenderApp, Sender = S, App = "promo", Recipients = { AppOnly }, Reason = "app" });
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Tenant, Recipients = { TenantWide }, Reason = "all" });

        var (dryLines, drySummary) = await DiffAsync(gate.Channel, dryRun: true, ImportDiffFormat.Lines);
        Assert.Equal(
            [ImportLineResult.AlreadyPresent, ImportLineResult.Changed, ImportLineResult.Changed, ImportLineResult.Added, ImportLineResult.Invalid, ImportLineResult.Invalid, ImportLineResult.AlreadyPresent],
            dryLines.Select(l => l.Result));
        Assert.Equal([1UL, 2, 3, 4, 5, 6, 7], dryLines.Select(l => l.LineNumber));
        Assert.True(drySummary.DryRun);
        Assert.Equal((3UL, 2UL, 2UL), (drySummary.Added, drySummary.AlreadyPresent, drySummary.Invalid));

        var present = dryLines[0];
        Assert.Equal(Source.Api, present.Existing.Source);
        Assert.Equal("old list", present.Existing.Reason);
        Assert.NotNull(present.Existing.UpdateTime);
        Assert.NotEqual(0UL, present.Existing.Sequence);

        var widened = dryLines[1];
        Assert.Equal(Scope.SenderApp, Assert.Single(widened.Before).Scope);
        Assert.Equal([Scope.SenderApp, Scope.Sender], widened.After.Select(e => e.Scope));
        Assert.Equal(Source.Import, widened.After[1].Source);
        Assert.Empty(widened.BlockedSmsTypesBefore); // a send from S with no app was not blocked before
        Assert.Equal([SmsType.Marketing, SmsType.Notification, SmsType.Verification], widened.BlockedSmsTypesAfter);

        var beside = dryLines[2];
        Assert.Equal(Scope.Tenant, Assert.Single(beside.Before).Scope);
        Assert.Equal(beside.BlockedSmsTypesBefore, beside.BlockedSmsTypesAfter);

        Assert.Empty(dryLines[3].Before);
        Assert.Equal("recipient is not E.164", dryLines[4].Reason);
        Assert.Contains("numbering plan", dryLines[5].Reason, StringComparison.Ordinal);
        Assert.Null(dryLines[6].Existing);
        Assert.Contains("earlier line", dryLines[6].Reason, StringComparison.Ordinal);

        // Nothing written by the dry run.
        Assert.Equal(Verdict.Allowed, await admin.CheckAsync(Fresh, SmsType.Marketing));

        var (csv, realSummary) = await CsvAsync(gate.Channel, dryRun: false);
        var rows = Rows(csv);
        Assert.Equal("line_number,result,recipient,scope,sender,app,reason,existing_source,existing_update_time,existing_sequence,existing_reason,before,after,blocked_sms_types_before,blocked_sms_types_after", rows[0]);
        var cells = rows.Skip(1).Select(r => r.Split(',')).ToList();
        Assert.Equal(dryLines.Select(l => l.Result.ToString()), cells.Select(c => Pascal(c[1])));
        Assert.Equal(["API", "old list"], new[] { cells[0][7], cells[0][10] });
        Assert.StartsWith(present.Existing.UpdateTime.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), cells[0][8], StringComparison.Ordinal);
        Assert.Equal("CHANGED", cells[1][1]);
        Assert.StartsWith("SENDER_APP +18005550100 promo API 20", cells[1][11], StringComparison.Ordinal);
        Assert.Contains("; SENDER +18005550100 IMPORT 20", cells[1][12], StringComparison.Ordinal);
        Assert.Equal("", cells[1][13]);
        Assert.Equal("MARKETING|NOTIFICATION|VERIFICATION", cells[1][14]);

        // The real run's repeated line finds the entry its earlier line wrote.
        Assert.Equal("IMPORT", cells[6][7]);
        Assert.False(realSummary.DryRun);
        Assert.Equal((drySummary.Added, drySummary.AlreadyPresent, drySummary.Invalid), (realSummary.Added, realSummary.AlreadyPresent, realSummary.Invalid));
        Assert.True(realSummary.Sequence > 0);
        Assert.Equal(Verdict.BlockedOptedOut, await admin.CheckAsync(Fresh, SmsType.Marketing));

        // Run again: every valid line is already present, with the import as the existing entry's source.
        var (again, _) = await DiffAsync(gate.Channel, dryRun: true, ImportDiffFormat.Unspecified);
        Assert.Equal(5, again.Count(l => l.Result == ImportLineResult.AlreadyPresent));
        Assert.Equal(Source.Import, again[3].Existing.Source);
    }

    [Fact]
    public async Task DiffFormatOnThePlainImport_IsInvalidArgument()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var call = new AdminRpcClient(gate.Channel).ImportOptOuts(MoClient.Deadline());
        await call.RequestStream.WriteAsync(new ImportOptOutsRequest
        {
            Options = new ImportOptions { SourceName = "x", Reason = "y", Sender = S, DiffFormat = ImportDiffFormat.Csv },
        });
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("ImportOptOutsWithDiff", error.Status.Detail, StringComparison.Ordinal);
    }

    private static readonly string[] Lines = [Present, AppOnly, TenantWide, Fresh, "+1 415 555", "+999123456789", Fresh];

    /// <summary>One ImportOptOutsWithDiff call over <see cref="Lines"/> at sender S: the outcomes (LINES) or the CSV text, and the totals.</summary>
    private static async Task<(List<ImportLineOutcome> Lines, string Csv, ImportOptOutsResponse Summary)> CallAsync(GrpcChannel channel, bool dryRun, ImportDiffFormat format)
    {
        using var call = new AdminRpcClient(channel).ImportOptOutsWithDiff(MoClient.Deadline());
        var request = new ImportOptOutsRequest
        {
            Options = new ImportOptions { SourceName = "crm-2026", Reason = "migration", DryRun = dryRun, Scope = Scope.Sender, Sender = S, DiffFormat = format },
        };
        request.Lines.AddRange(Lines.Select(r => new ImportLine { Recipient = r }));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        var outcomes = new List<ImportLineOutcome>();
        var csv = new MemoryStream();
        ImportOptOutsResponse? summary = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            Assert.Null(summary); // the totals come last
            outcomes.AddRange(response.Lines);
            response.Csv.WriteTo(csv);
            summary = response.Summary;
        }

        Assert.NotNull(summary);
        return (outcomes, Encoding.UTF8.GetString(csv.ToArray()), summary);
    }

    private static async Task<(List<ImportLineOutcome> Lines, ImportOptOutsResponse Summary)> DiffAsync(GrpcChannel channel, bool dryRun, ImportDiffFormat format)
    {
        var (lines, csv, summary) = await CallAsync(channel, dryRun, format);
        Assert.Equal(format == ImportDiffFormat.Csv, csv.Length != 0);
        return (lines, summary);
    }

    private static async Task<(string Csv, ImportOptOutsResponse Summary)> CsvAsync(GrpcChannel channel, bool dryRun)
    {
        var (lines, csv, summary) = await CallAsync(channel, dryRun, ImportDiffFormat.Csv);
        Assert.Empty(lines);
        return (csv, summary);
    }

    private static string[] Rows(string csv) => csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"ALREADY_PRESENT" → "AlreadyPresent", the C# name of the contract's value.</summary>
    private static string Pascal(string name) =>
        string.Concat(name.Split('_').Select(w => w[..1] + w[1..].ToLower(CultureInfo.InvariantCulture)));
}
