using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;
using OptOutGate.Engine.Text;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

/// <summary>
/// One ImportOptOuts call (admin_optouts.proto). Lines are validated as they arrive; valid lines are grouped by target and
/// event time into opt-out writes of up to <see cref="BatchSize"/> recipients (source IMPORT, the provenance name as
/// source_name, the import's reason), committed in order with a few in flight. A dry run writes nothing and counts
/// against the applied index plus the lines seen so far (<see cref="ImportSeenSet"/>, in a temporary file). Invalid lines are counted, the first 1,000 reported with their
/// line numbers. With a diff (ImportOptOutsWithDiff) every line's outcome goes to an <see cref="ImportDiffWriter"/> in
/// line order as it is decided: at once in a dry run, after its write in a real run (a line waits in its batch, at most
/// <see cref="BatchSize"/> lines per batch and <see cref="MaxInFlight"/> batches, so nothing grows with the import).
/// </summary>
internal sealed partial class ImportSession : IDisposable
{
    public const int BatchSize = 10_000;
    public const int MaxLinesPerMessage = 10_000;
    public const long MaxLines = 10_000_000;
    private const int MaxReported = 1_000;
    private const int MaxInFlight = 4;

    private readonly GateEngine _engine;
    private readonly string _tenant;
    private readonly string _actor;
    private readonly ImportOptions _options;
    private readonly DateTimeOffset _now;
    private readonly ImportOptOutsResponse _response;
    private readonly Queue<ImportBatch> _inFlight = new();
    private readonly ImportSeenSet _seen;
    private readonly Dictionary<(string Sender, string App), int> _targets = [];
    private readonly ImportDiffWriter? _diff;
    private readonly ImportLineInspector _inspector;
    private ImportBatch _batch = new();
    private (string Sender, string App, long EventTicks) _batchKey;
    private ulong _lineCounter;

    public ImportSession(GateEngine engine, string tenant, string actor, ImportOptions options, DateTimeOffset now, ImportDiffWriter? diff = null)
    {
        _engine = engine;
        _tenant = tenant;
        _actor = actor;
        _options = options;
        _now = now;
        _diff = diff;
        _inspector = new ImportLineInspector(engine, tenant);
        _seen = new ImportSeenSet(engine.ScratchDirectory);
        _response = new ImportOptOutsResponse { DryRun = options.DryRun };
    }

    public static void ValidateOptions(ImportOptions? options)
    {
        if (options is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "options: required in the first message."));
        }

        if (options.SourceName.Length is 0 or > 200)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "options.source_name: required, 1-200 characters."));
        }

        if (string.IsNullOrWhiteSpace(options.Reason) || options.Reason.Length > 500)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "options.reason: required, 1-500 characters."));
        }

        if (options.Scope is < Scope.Unspecified or > Scope.Tenant)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "options.scope: unknown scope."));
        }

        if (options.DiffFormat is < ImportDiffFormat.Unspecified or > ImportDiffFormat.Csv)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "options.diff_format: unknown format."));
        }
    }

    public async Task AddAsync(IReadOnlyList<ImportLine> lines, CancellationToken ct)
    {
        if (lines.Count > MaxLinesPerMessage)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "lines: at most 10,000 per message."));
        }

        foreach (var line in lines)
        {
            _lineCounter++;
            if (_lineCounter > MaxLines)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "lines: an import holds at most 10,000,000 lines."));
            }

            var number = line.LineNumber != 0 ? line.LineNumber : _lineCounter;
            if (!TryTarget(line, out var sender, out var app, out var invalid))
            {
                await InvalidAsync(number, line.Recipient, invalid, Scope.Unspecified, "", "", ct);
                continue;
            }

            if (!E164.TryParse(line.Recipient, out var recipient))
            {
                await InvalidAsync(number, line.Recipient, "recipient is not E.164", EntryTarget.ScopeOf(sender, app), sender, app, ct);
                continue;
            }

            if (!NumberingPlan.TryValidate(line.Recipient, out var country))
            {
                await InvalidAsync(number, line.Recipient, "recipient is not a number any numbering plan allows (libphonenumber metadata)", EntryTarget.ScopeOf(sender, app), sender, app, ct);
                continue;
            }

            long eventTicks = 0;
            if (line.EventTime is { } eventTime)
            {
                if (eventTime.Seconds is < -62_135_596_800 or > 253_402_300_799 || eventTime.Nanos is < 0 or > 999_999_999)
                {
                    await InvalidAsync(number, line.Recipient, "event_time is not a valid timestamp", EntryTarget.ScopeOf(sender, app), sender, app, ct);
                    continue;
                }

                var at = eventTime.ToDateTimeOffset();
                if (at > _now)
                {
                    await InvalidAsync(number, line.Recipient, "event_time is in the future", EntryTarget.ScopeOf(sender, app), sender, app, ct);
                    continue;
                }

                eventTicks = at.UtcTicks;
            }

            if (_options.DryRun)
            {
                await CountAsync(new ImportLineTarget(number, line.Recipient, recipient, sender, app, country, eventTicks), ct);
                continue;
            }

            if (_batch.Recipients.Count != 0 && (_batchKey != (sender, app, eventTicks) || _batch.Recipients.Count == BatchSize))
            {
                await FlushAsync(ct);
            }

            _batchKey = (sender, app, eventTicks);
            _batch.Recipients.Add(line.Recipient);
            if (_diff is not null)
            {
                var (before, blocked) = await _inspector.RelatedAsync(recipient, sender, app, ct);
                _batch.Lines.Add(new ImportBatch.Line(number, line.Recipient, EntryTarget.ScopeOf(sender, app), sender, app, "", before, blocked));
                await FlushIfFullAsync(ct);
            }
        }
    }

    public async Task<ImportOptOutsResponse> FinishAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        while (_inFlight.Count > 0)
        {
            await CollectAsync(_inFlight.Dequeue(), ct);
        }

        return _response;
    }

    private bool TryTarget(ImportLine line, out string sender, out string app, out string invalid)
    {
        var lineSender = line.Sender.Length != 0 ? line.Sender : _options.Sender;
        var lineApp = line.App.Length != 0 ? line.App : _options.App;
        invalid = "";
        if (TextLimits.Exceeds(lineSender, TextLimits.MaxSender))
        {
            invalid = "sender: at most 32 characters";
        }
        else if (TextLimits.Exceeds(lineApp, TextLimits.MaxApp))
        {
            invalid = "app: at most 64 characters";
        }
        else if (_options.Scope == Scope.Sender)
        {
            lineApp = "";
        }

        if (invalid.Length == 0 && EntryTarget.TryResolve(_options.Scope, lineSender, lineApp, out sender, out app))
        {
            return true;
        }

        sender = app = "";
        if (invalid.Length == 0)
        {
            invalid = _options.Scope == Scope.SenderApp && lineSender.Length != 0 ? "app missing" : "sender missing";
        }

        return false;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        var batch = _batch;
        if (batch.Recipients.Count == 0 && batch.Lines.Count == 0)
        {
            return;
        }

        _batch = new ImportBatch();
        if (batch.Recipients.Count != 0)
        {
            var (sender, app, eventTicks) = _batchKey;
            var request = new EntryWriteRequest
            {
                TenantId = _tenant,
                ActorKeyId = _actor,
                Operation = EntryWriteOperation.Add,
                Kind = EntryKind.OptOut,
                Scope = EntryTarget.ScopeOf(sender, app),
                Sender = sender,
                App = app,
                Recipients = batch.Recipients,
                Source = Source.Import,
                Reason = _options.Reason,
                SourceName = _options.SourceName,
                EventTime = eventTicks == 0 ? null : new DateTimeOffset(eventTicks, TimeSpan.Zero),
            };

            // Lines commit in order (one pipeline, submitted in order); a few writes in flight keep the pipeline's batches full.
            batch.Write = _engine.Writes.WriteAsync(request, CancellationToken.None);
        }

        _inFlight.Enqueue(batch);
        while (_inFlight.Count >= MaxInFlight)
        {
            await CollectAsync(_inFlight.Dequeue(), ct);
        }
    }

    /// <summary>A diff's batch also ends at <see cref="BatchSize"/> lines of any outcome: invalid lines wait in it for the valid ones before them.</summary>
    private Task FlushIfFullAsync(CancellationToken ct) => _batch.Lines.Count >= BatchSize ? FlushAsync(ct) : Task.CompletedTask;

    private async Task CollectAsync(ImportBatch batch, CancellationToken ct)
    {
        var result = batch.Write is { } write ? await write.WaitAsync(ct) : null;
        if (result is not null)
        {
            foreach (var item in result.Items)
            {
                switch (item.Outcome)
                {
                    case WriteOutcome.Added:
                        _response.Added++;
                        break;
                    case WriteOutcome.AlreadyPresent:
                        _response.AlreadyPresent++;
                        break;
                    default:
                        _response.Invalid++;
                        break;
                }
            }

            _response.Sequence = Math.Max(_response.Sequence, result.Sequence);
        }

        if (_diff is not null)
        {
            await WriteOutcomesAsync(batch, result, ct);
        }
    }

    private async Task InvalidAsync(ulong number, string recipient, string reason, Scope scope, string sender, string app, CancellationToken ct)
    {
        _response.Invalid++;
        if (_response.InvalidLines.Count < MaxReported)
        {
            _response.InvalidLines.Add(new InvalidLine { LineNumber = number, Reason = reason });
        }

        if (_diff is null)
        {
            return;
        }

        if (_options.DryRun)
        {
            await _diff.WriteAsync(Outcome(ImportLineResult.Invalid, number, recipient, scope, sender, app, reason), ct);
            return;
        }

        _batch.Lines.Add(new ImportBatch.Line(number, recipient, scope, sender, app, reason, null, 0));
        await FlushIfFullAsync(ct);
    }

    /// <summary>Deletes the dry run's temporary file; the writes of a real run already in flight go on (they are the engine's).</summary>
    public void Dispose() => _seen.Dispose();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"import {_options.SourceName}: {_lineCounter} lines");
}
