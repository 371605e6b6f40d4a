using System.Diagnostics;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// One MO message end to end (DESIGN.md "Handling an MO message"): validate, find the inbound address, recognize a
/// carrier retry, classify with the address's keyword set, decide and write durably (<see cref="MoDecision"/>; HELP and
/// NONE only for a tenant whose webhook subscription asks for every MO reply), and
/// answer with the action, rule, keyword, reply text and sequence. The answer is given only once the message's record is
/// on disk and applied; a retry of a message still in flight waits for the first one's result.
/// </summary>
internal sealed class MoProcessor
{
    private readonly GateEngine _engine;
    private readonly MoLedger _ledger;
    private readonly KeywordSetCache _keywords;
    private readonly MoMetrics _metrics;
    private readonly TimeProvider _time;

    public MoProcessor(GateEngine engine, MoLedger ledger, KeywordSetCache keywords, MoMetrics metrics, TimeProvider time)
    {
        _engine = engine;
        _ledger = ledger;
        _keywords = keywords;
        _metrics = metrics;
        _time = time;
    }

    public MoLedger Ledger => _ledger;

    /// <summary>
    /// Records one message. A message not recorded is an <see cref="EngineError"/> (<see cref="MoOutcome.Failure"/>):
    /// invalid, not found (unknown inbound address), unavailable (not durable: the log failed) or read-only (a
    /// replica). Cancelling only stops the wait: a message already decided is still written, and its retry is then a
    /// DUPLICATE.
    /// </summary>
    public async Task<MoOutcome> RecordAsync(string tenant, string actorKeyId, MoMessage message, CancellationToken ct)
    {
        var outcome = await RecordCoreAsync(tenant, actorKeyId, message, ct);
        if (outcome.Failure is not null)
        {
            _metrics.Failed();
        }

        return outcome;
    }

    private async Task<MoOutcome> RecordCoreAsync(string tenant, string actorKeyId, MoMessage message, CancellationToken ct)
    {
        if (MoValidation.Validate(message) is { } invalid)
        {
            return MoOutcome.Failed(EngineErrorKind.Invalid, invalid);
        }

        var started = Stopwatch.GetTimestamp();
        if (!_engine.Config.TryGetInboundAddress(tenant, message.InboundAddress, out var address))
        {
            return MoOutcome.Failed(EngineErrorKind.NotFound, "message.inbound_address: not an inbound address of this tenant (Admin.PutInboundAddress); nothing was recorded.");
        }

        E164.TryParse(message.FromNumber, out var recipient);
        var now = _time.GetUtcNow().UtcDateTime;
        var carrierTicks = message.CarrierTime.ToDateTime().Ticks;
        if (carrierTicks > now.Ticks)
        {
            _metrics.CarrierTimeAhead();
        }

        var messageKey = MoKeys.Message(tenant, message.CarrierMessageId);
        var contentKey = MoKeys.Content(tenant, message.InboundAddress, message.FromNumber, message.Text, carrierTicks);
        if (_ledger.TryFind(messageKey, contentKey, now, out var seen, out var pending))
        {
            return await DuplicateAsync(message, seen, pending, started, ct);
        }

        var classifyStarted = Stopwatch.GetTimestamp();
        var policy = _engine.Config.GetTenantPolicy(tenant);
        var classification = MoClassifier.Classify(message.Text, _keywords.For(address, policy));
        _metrics.Classified(Stopwatch.GetElapsedTime(classifyStarted));

        if ((classification.Action is MoAction.Help or MoAction.None) && !_engine.Config.RecordsEveryMo(tenant))
        {
            // No state change and no history record (mo.proto); remembered in memory so a quick retry is a DUPLICATE.
            if (_ledger.TryFindOrRemember(messageKey, contentKey, now, new SeenMo(0, now.Ticks, classification.Action), out seen, out pending))
            {
                return await DuplicateAsync(message, seen, pending, started, ct);
            }

            var result = NewResult(message, classification.Action, classification);
            if (classification.Action == MoAction.Help)
            {
                SetReply(result, address, message, MoAction.Help, classification.LanguageCode);
            }

            _metrics.Recorded(result.Action, Stopwatch.GetElapsedTime(started));
            return MoOutcome.Recorded(result);
        }

        var decision = new MoDecision(_ledger, tenant, message, recipient, classification, messageKey, contentKey);
        var request = new RecordWriteRequest { TenantId = tenant, ActorKeyId = actorKeyId, Build = decision.BuildAsync };

        // The write is not tied to the caller: once decided, the message is recorded and its claim released either way.
        _ = WriteAsync(decision, request);
        SeenMo outcome;
        try
        {
            outcome = await decision.Ticket.Done.WaitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return WriteFailure(e);
        }

        if (decision.Duplicate)
        {
            return await DuplicateAsync(message, decision.DuplicateOf, decision.DuplicatePending, started, ct);
        }

        var answer = NewResult(message, decision.Action, classification);
        answer.Sequence = outcome.Sequence;
        answer.ReviewItemId = decision.ReviewItemId;
        if (decision.Action is MoAction.OptedOut or MoAction.OptedIn or MoAction.Superseded)
        {
            answer.Scope = decision.Scope;
            answer.StateChanged = decision.Changed;
            answer.SupersededBySequence = decision.Record?.SupersededBySequence ?? 0;
            answer.ReplyText = decision.ReplyText;
            answer.ReplyLanguageCode = decision.ReplyLanguageCode;
        }
        else if (decision.Action == MoAction.Help)
        {
            // Recorded for the tenant's reply callback; the help text is handed out as when nothing is recorded.
            SetReply(answer, address, message, MoAction.Help, classification.LanguageCode);
        }

        _metrics.Recorded(answer.Action, Stopwatch.GetElapsedTime(started));
        return MoOutcome.Recorded(answer);
    }

    private async Task WriteAsync(MoDecision decision, RecordWriteRequest request)
    {
        try
        {
            await _engine.Writes.WriteAsync(request, CancellationToken.None);
            var sequence = decision.Record?.Sequence ?? 0;
            _ledger.Complete(decision.Ticket, decision.Written, new SeenMo(sequence, (decision.Record?.ReceiveTime?.ToDateTime() ?? _time.GetUtcNow().UtcDateTime).Ticks, decision.Action));
        }
#pragma warning disable CA1031 // Every failure goes to the waiting caller through the ticket.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _ledger.Abort(decision.Ticket, e);
        }
    }

    private async Task<MoOutcome> DuplicateAsync(MoMessage message, SeenMo seen, MoTicket? pending, long started, CancellationToken ct)
    {
        if (pending is not null)
        {
            // The first delivery is still being written: a DUPLICATE is an acknowledgement too, so it waits until the
            // original is durable (and fails like it if it could not be written).
            try
            {
                seen = await pending.Done.WaitAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return WriteFailure(e);
            }
        }

        var result = new MoResult { CarrierMessageId = message.CarrierMessageId, Action = MoAction.Duplicate, Sequence = seen.Sequence };
        _metrics.Recorded(MoAction.Duplicate, Stopwatch.GetElapsedTime(started));
        return MoOutcome.Recorded(result);
    }

    private static MoResult NewResult(MoMessage message, MoAction action, Classification classification) => new()
    {
        CarrierMessageId = message.CarrierMessageId,
        Action = action,
        MatchedKeyword = classification.MatchedKeyword,
        Rule = classification.Rule,
    };

    private static void SetReply(MoResult result, InboundAddress address, MoMessage message, MoAction action, string keywordLanguage)
    {
        var (text, language) = ReplyTexts.Select(address, message.App, action, message.LanguageCode, keywordLanguage);
        result.ReplyText = text;
        result.ReplyLanguageCode = language;
    }

    // The write's failure in the words every write uses; a malformed record is the message's fault, so it names it.
    private static MoOutcome WriteFailure(Exception error) => error is ArgumentException invalid
        ? MoOutcome.Failed(EngineErrorKind.Invalid, "message: " + invalid.Message)
        : MoOutcome.Failed(EngineError.OfWriteFailure(error));
}
