using System.Globalization;
using System.Net;
using Grpc.Core;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>
/// GET /v1/entries:export and /v1/history:export: the CSV exports as file downloads over plain HTTP, with the same
/// filters and keys as the lists, read as a browser or curl reads them (streamed, the rows checked).
/// </summary>
public sealed class JsonApiExportTests(JsonApiFixture fixture) : IClassFixture<JsonApiFixture>
{
    private const string EntriesHeader = "kind,scope,sender,recipient,app,sms_types,source,reason,update_time,sequence,carrier_message_id,actor_key_id,country";

    [Fact]
    public async Task EntriesExport_DownloadsTheFilteredRows_AsACsvAttachment()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550131";
        var added = (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients = new[] { "+14155550100", "+14155550101" }, reason = "export me" })).Ok().Json;
        (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = "+18005550139", recipients = new[] { "+14155550102" }, reason = "not me" })).Ok();

        using var auditor = fixture.Http(fixture.Keys.AcmeAuditor);
        using var response = await auditor.Client.GetAsync("/v1/entries:export?filter.sender=%2B18005550131", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^entries-\d{8}T\d{6}Z\.csv$", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        // The state the export reflects: at least the write it must show (other tests write to the same gate).
        Assert.True(ulong.Parse(Assert.Single(response.Headers.GetValues("X-OptOutGate-Sequence")), CultureInfo.InvariantCulture) >= added.GetProperty("sequence").GetUInt64());

        var lines = Lines(await response.Content.ReadAsStringAsync());
        Assert.Equal(EntriesHeader, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["+14155550100", "+14155550101"], rows.Select(r => r[3]).Order());
        Assert.All(rows, r => Assert.Equal(["OPT_OUT", "SENDER", Sender], r[..3]));
        Assert.All(rows, r => Assert.Equal("export me", r[7]));
    }

    [Fact]
    public async Task EntriesExport_OfThousandsOfRows_StreamsEveryRowOnce()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550132";
        var recipients = Enumerable.Range(0, 3_000).Select(i => "+1415555" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();
        var added = (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients, reason = "bulk" })).Ok().Json;
        Assert.All(added.GetProperty("results").EnumerateArray(), r => Assert.Equal("RECIPIENT_OUTCOME_ADDED", r.GetProperty("outcome").GetString()));

        // Over 64 KiB, so several chunks on the gRPC side: the download is their bytes end to end, read as it streams.
        using var response = await admin.Client.GetAsync("/v1/entries:export?filter.sender=%2B18005550132", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        Assert.Equal(EntriesHeader, await reader.ReadLineAsync());
        var seen = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            seen.Add(line.Split(',')[3]);
        }

        Assert.Equal(recipients, seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EntriesExport_ClientGoneMidway_IsCut_AndTheGateKeepsServing()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550134";

        // About 3 MB of CSV: far more than the socket buffers hold, so the gate is still writing when the client leaves.
        for (var batch = 0; batch < 3; batch++)
        {
            var recipients = Enumerable.Range(batch * 10_000, 10_000).Select(i => "+14155" + i.ToString("D6", CultureInfo.InvariantCulture)).ToArray();
            (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients, reason = "a long reason so that every row of the export takes its room" })).Ok();
        }

        using (var response = await admin.Client.GetAsync("/v1/entries:export?filter.sender=%2B18005550134", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var first = new byte[4096];
            await body.ReadExactlyAsync(first);
        }

        await fixture.Server.WaitForOutputAsync("CSV download of optoutgate.v1.Admin/ExportEntries failed after it had begun", TimeSpan.FromSeconds(60));

        // Nothing else is hurt: the same export downloads whole on the next request.
        using var again = await admin.Client.GetAsync("/v1/entries:export?filter.sender=%2B18005550134", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(30_001, Lines(await again.Content.ReadAsStringAsync()).Count);
    }

    [Fact]
    public async Task HistoryExport_DownloadsTheSendersRecords()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550133";
        var added = (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients = new[] { "+14155550100" }, reason = "history" })).Ok().Json;
        var removed = (await admin.PostAsync("/v1/optouts:remove", new { scope = "SCOPE_SENDER", sender = Sender, recipients = new[] { "+14155550100" }, reason = "back in" })).Ok().Json;

        using var response = await admin.Client.GetAsync("/v1/history:export?filter.sender=%2B18005550133");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("history-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);

        var lines = Lines(await response.Content.ReadAsStringAsync());
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        string Column(string[] row, string name) => row[Array.IndexOf(header, name)];
        Assert.Equal(
            [added.GetProperty("sequence").GetUInt64().ToString(CultureInfo.InvariantCulture), removed.GetProperty("sequence").GetUInt64().ToString(CultureInfo.InvariantCulture)],
            rows.Select(r => Column(r, "sequence")));
        Assert.Equal(["OPT_OUT", "OPT_OUT_REMOVED"], rows.Select(r => Column(r, "action")));
        Assert.All(rows, r => Assert.Equal(Sender, Column(r, "sender")));
        Assert.Equal(["history", "back in"], rows.Select(r => Column(r, "reason")));
    }

    [Fact]
    public async Task Exports_TakeTheSameKeysAndFilters_AndAnswerRefusalsInJson()
    {
        using var none = fixture.Http(key: null);
        (await none.GetAsync("/v1/entries:export")).Error(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        (await dispatcher.GetAsync("/v1/history:export")).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);

        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        var misspelt = (await admin.GetAsync("/v1/entries:export?filter.sendr=%2B18005550131")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("filter.sendr", misspelt.Message, StringComparison.Ordinal);
        (await admin.GetAsync("/v1/history:export?filter.timeRange.startTime=2026-02-01T00:00:00Z&filter.timeRange.endTime=2026-01-01T00:00:00Z"))
            .Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);

        // Nothing matches: still a file, with its header row.
        using var empty = await admin.Client.GetAsync("/v1/entries:export?filter.sender=%2B18005550138");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal([EntriesHeader], Lines(await empty.Content.ReadAsStringAsync()));
    }

    /// <summary>The CSV's lines (CRLF, RFC 4180) without the empty one after the last line end.</summary>
    private static List<string> Lines(string csv)
    {
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        return [.. csv[..^2].Split("\r\n")];
    }
}
