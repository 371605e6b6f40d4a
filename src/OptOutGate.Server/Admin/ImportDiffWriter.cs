using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Text;

namespace OptOutGate.Server.Admin;

/// <summary>
/// Hands ImportOptOutsWithDiff's line outcomes to the response stream as they are decided, in line order: as
/// messages of up to <see cref="LinesPerMessage"/> outcomes, or as CSV chunks (admin_optouts.proto, ImportDiffFormat).
/// Each write awaits the stream (HTTP/2 flow control), so a slow reader slows the import instead of filling memory.
/// </summary>
internal sealed class ImportDiffWriter
{
    public const int LinesPerMessage = 1_000;

    private static readonly string[] Columns =
    [
        "line_number", "result", "recipient", "scope", "sender", "app", "reason", "existing_source", "existing_update_time",
        "existing_sequence", "existing_reason", "before", "after", "blocked_sms_types_before", "blocked_sms_types_after",
    ];

    private readonly IServerStreamWriter<ImportDiffResponse> _responses;
    private readonly CsvChunkWriter? _csv;
    private ImportDiffResponse _message = new();

    public ImportDiffWriter(IServerStreamWriter<ImportDiffResponse> responses, ImportDiffFormat format)
    {
        _responses = responses;
        if (format == ImportDiffFormat.Csv)
        {
            _csv = new CsvChunkWriter((data, ct) => responses.WriteAsync(new ImportDiffResponse { Csv = ByteString.CopyFrom(data.Span) }, ct));
            _csv.Header(Columns);
        }
    }

    /// <summary>Outcomes written so far.</summary>
    public long Lines { get; private set; }

    public async ValueTask WriteAsync(ImportLineOutcome outcome, CancellationToken ct)
    {
        Lines++;
        if (_csv is { } csv)
        {
            WriteRow(csv, outcome);
            await csv.FlushFullChunksAsync(ct);
            return;
        }

        _message.Lines.Add(outcome);
        if (_message.Lines.Count == LinesPerMessage)
        {
            await _responses.WriteAsync(_message, ct);
            _message = new ImportDiffResponse();
        }
    }

    /// <summary>Everything still buffered, then the totals in a message of their own.</summary>
    public async Task CompleteAsync(ImportOptOutsResponse summary, CancellationToken ct)
    {
        if (_csv is { } csv)
        {
            await csv.CompleteAsync(ct);
        }
        else if (_message.Lines.Count != 0)
        {
            await _responses.WriteAsync(_message, ct);
        }

        await _responses.WriteAsync(new ImportDiffResponse { Summary = summary }, ct);
    }

    private static void WriteRow(CsvChunkWriter csv, ImportLineOutcome outcome)
    {
        csv.Field(outcome.LineNumber);
        csv.Field(ContractNames.Of(outcome.Result));
        csv.Field(outcome.Recipient);
        csv.Field(outcome.Scope == Scope.Unspecified ? "" : ContractNames.Of(outcome.Scope));
        csv.Field(outcome.Sender);
        csv.Field(outcome.App);
        csv.Field(outcome.Reason);
        var existing = outcome.Existing;
        csv.Field(existing is null ? "" : ContractNames.Of(existing.Source));
        csv.Field(existing?.UpdateTime);
        csv.Field(existing is null ? "" : existing.Sequence.ToString(CultureInfo.InvariantCulture));
        csv.Field(existing?.Reason ?? "");
        csv.Field(Describe(outcome.Before));
        csv.Field(Describe(outcome.After));
        csv.Field(ContractNames.Join(outcome.BlockedSmsTypesBefore));
        csv.Field(ContractNames.Join(outcome.BlockedSmsTypesAfter));
        csv.EndRow();
    }

    /// <summary>Entries as "scope sender app source update_time", empty parts left out, separated by "; ".</summary>
    private static string Describe(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            if (text.Length != 0)
            {
                text.Append("; ");
            }

            text.Append(ContractNames.Of(entry.Scope));
            foreach (var part in (ReadOnlySpan<string>)[entry.Sender, entry.App, ContractNames.Of(entry.Source)])
            {
                if (part.Length != 0)
                {
                    text.Append(' ').Append(part);
                }
            }

            if (entry.UpdateTime is { } time)
            {
                text.Append(' ').Append(time.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
