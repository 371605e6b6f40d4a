using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.WebConsole.Calls;
using AdminClient = OptOutGate.Contracts.V1.Admin.AdminClient;

namespace OptOutGate.Server.WebConsole.Import;

/// <summary>
/// One uploaded list between its dry run and its import, owned by the session that uploaded it: the lines, the
/// options, the dry run's diff (the first <see cref="ShownLines"/> line outcomes and the totals), and the import's
/// progress (line outcomes received so far) and result. Both runs are ImportOptOutsWithDiff, the dry run with
/// dry_run set, so the preview and the import are the same rules.
/// </summary>
internal sealed class ImportJob(string id, string sessionId, ImportOptions options, List<ImportLine> lines)
{
    public const int ShownLines = 500;

    private long _processed;

    public string Id { get; } = id;

    public string SessionId { get; } = sessionId;

    public ImportOptions Options { get; } = options;

    public int Total => lines.Count;

    public List<ImportLineOutcome> Preview { get; } = [];

    public ImportOptOutsResponse? DryRun { get; private set; }

    public long Processed => Interlocked.Read(ref _processed);

    public bool Started { get; private set; }

    public ImportOptOutsResponse? Result { get; private set; }

    public string? Error { get; private set; }

    public bool Done => Result is not null || Error is not null;

    public async Task DryRunAsync(AdminClient admin, CancellationToken ct)
    {
        var options = Options.Clone();
        options.DryRun = true;
        DryRun = await RunAsync(admin, options, Preview, ct);
    }

    /// <summary>Starts the import in the background; the page polls <see cref="Processed"/> until <see cref="Done"/>.</summary>
    public void Start(AdminClient admin)
    {
        Started = true;
        _ = Task.Run(async () =>
        {
            try
            {
                Result = await RunAsync(admin, Options.Clone(), shown: null, CancellationToken.None);
            }
            catch (RpcException e)
            {
                Error = string.IsNullOrEmpty(e.Status.Detail) ? e.Status.StatusCode.ToString() : e.Status.Detail;
            }
#pragma warning disable CA1031 // Whatever ends the import must end the job too: otherwise its page shows "Importing" forever.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // The type only: a message may quote numbers from the file.
                Error = "The import stopped: " + e.GetType().Name + ".";
            }
        });
    }

    /// <summary>Sends the lines in messages of at most 10,000 while reading the outcomes the server streams back.</summary>
    private async Task<ImportOptOutsResponse> RunAsync(AdminClient admin, ImportOptions options, List<ImportLineOutcome>? shown, CancellationToken ct)
    {
        options.DiffFormat = ImportDiffFormat.Lines;
        Interlocked.Exchange(ref _processed, 0);
        using var call = admin.ImportOptOutsWithDiff(cancellationToken: ct);
        var reading = ReadAsync(call.ResponseStream, shown, ct);
        var writing = WriteAsync(call.RequestStream, options, ct);
        try
        {
            // The answer decides: a refused or failed import throws its status here, whatever the writing got to.
            return await reading;
        }
        finally
        {
            try
            {
                await writing;
            }
            catch (RpcException)
            {
                // The call ended before every line was sent; its status is the one reading threw.
            }
        }
    }

    private async Task WriteAsync(IClientStreamWriter<ImportOptOutsRequest> requests, ImportOptions options, CancellationToken ct)
    {
        const int batch = 10_000;
        for (var start = 0; start == 0 || start < lines.Count; start += batch)
        {
            var message = new ImportOptOutsRequest { Options = start == 0 ? options : null };
            message.Lines.AddRange(lines.Skip(start).Take(batch));
            await requests.WriteAsync(message, ct);
        }

        await requests.CompleteAsync();
    }

    private async Task<ImportOptOutsResponse> ReadAsync(IAsyncStreamReader<ImportDiffResponse> responses, List<ImportLineOutcome>? shown, CancellationToken ct)
    {
        ImportOptOutsResponse? summary = null;
        while (await responses.MoveNext(ct))
        {
            var response = responses.Current;
            foreach (var line in response.Lines)
            {
                if (shown is not null && shown.Count < ShownLines)
                {
                    shown.Add(line);
                }
            }

            Interlocked.Add(ref _processed, response.Lines.Count);
            summary = response.Summary ?? summary;
        }

        return summary ?? throw new RpcException(new Status(StatusCode.Internal, "The import ended without its totals."));
    }
}
