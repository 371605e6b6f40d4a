using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.JsonApi;
using System.Globalization;
using AdminClient = OptOutGate.Contracts.V1.Admin.AdminClient;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// A page's CSV download: the export method's chunks written to the response as the REST download writes them
/// (<see cref="CsvDownloadWriter"/>: one text/csv attachment, no-store, the sequence header). A failure before the first
/// chunk shows on the page with its status; after it, the connection is cut so a partial file never passes for whole.
/// </summary>
internal static class CsvDownload
{
    public static async Task<IActionResult> RunAsync(ConsolePage page, Func<AdminClient, CancellationToken, AsyncServerStreamingCall<CsvChunk>> export, string what)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(export);
        var http = page.HttpContext;
        var ct = http.RequestAborted;
        var download = new CsvDownloadWriter(http, string.Create(CultureInfo.InvariantCulture, $"{what}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}.csv"));
        try
        {
            using var call = export(page.Admin, ct);
            while (await call.ResponseStream.MoveNext(ct))
            {
                await download.WriteAsync(call.ResponseStream.Current, ct);
            }

            download.EnsureHeaders(sequence: null);
            return new EmptyResult();
        }
        catch (RpcException e) when (!download.Started)
        {
            page.FailWith(e.Status);
            return page.Page();
        }
        catch when (download.Started)
        {
            http.Abort();
            return new EmptyResult();
        }
    }
}
