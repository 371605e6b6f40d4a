using System.Globalization;
using Grpc.Core;
using Microsoft.Net.Http.Headers;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// ExportEntries and ExportHistory over plain HTTP: the chunks' bytes written straight to the response as one
/// <c>text/csv</c> attachment, each chunk as it comes (the export waits for each write, so memory stays at one chunk
/// whatever the file's size), instead of transcoding's one JSON object per chunk. The headers go out with the first
/// chunk; until then a failure still answers with its JSON error and HTTP status.
/// </summary>
internal sealed class CsvDownloadWriter(HttpContext http, string fileName) : IServerStreamWriter<CsvChunk>
{
    /// <summary>The sequence number the export reflects (CsvChunk.sequence), for a client that reads its own writes.</summary>
    public const string SequenceHeader = "X-OptOutGate-Sequence";

    /// <summary>Whether the response has begun: a failure from here on can only cut the download short.</summary>
    public bool Started => http.Response.HasStarted;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(CsvChunk message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(CsvChunk message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureHeaders(message.Sequence);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, http.RequestAborted);
        await http.Response.Body.WriteAsync(message.Data.Memory, both.Token);
    }

    /// <summary>An export that wrote no chunk at all still downloads, as an empty file.</summary>
    public void EnsureHeaders(ulong? sequence)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        response.Headers.ContentDisposition = disposition.ToString();

        // Full phone numbers (admin_optouts.proto, CsvChunk): no cache on the way may keep a copy.
        response.Headers.CacheControl = "no-store";
        if (sequence is { } value)
        {
            response.Headers[SequenceHeader] = value.ToString(CultureInfo.InvariantCulture);
        }
    }
}
