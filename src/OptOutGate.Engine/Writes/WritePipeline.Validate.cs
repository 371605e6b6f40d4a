using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Writes;

internal sealed partial class WritePipeline
{
    // Longest E.164 text: "+" and 15 digits.
    private const string LongestRecipient = "+999999999999999";

    /// <summary>
    /// Decides each item of a request against the view, adds the records to the batch and their effects to the
    /// overlay. Anything that can reject the whole request (<see cref="ArgumentException"/>) is checked before the
    /// first record is added, so a rejected request writes nothing.
    /// </summary>
    private ValueTask ValidateAsync(PendingWrite pending, WriteBatch batch)
    {
        switch (pending.Request)
        {
            case EntryWriteRequest entries:
                return ValidateEntriesAsync(pending, entries, batch);
            case ConfigWriteRequest config:
                ValidateConfig(pending, config, batch);
                return ValueTask.CompletedTask;
            case ConfirmationUseRequest confirmation:
                ValidateConfirmations(pending, confirmation, batch);
                return ValueTask.CompletedTask;
            case RecordWriteRequest records:
                return ValidateRecordsAsync(pending, records, batch);
            default:
                throw new ArgumentException($"Unknown write request type {pending.Request.GetType().Name}.");
        }
    }

    private async ValueTask ValidateEntriesAsync(PendingWrite pending, EntryWriteRequest request, WriteBatch batch)
    {
        if (!EntryTarget.TryResolve(request.Scope, request.Sender, request.App, out var sender, out var app))
        {
            throw new ArgumentException("The target needs a sender (and an app for SCOPE_SENDER_APP); tenant-wide targets must say SCOPE_TENANT.");
        }

        if (request.Kind is not (EntryKind.OptOut or EntryKind.Suppression or EntryKind.Bypass))
        {
            throw new ArgumentException($"Unknown entry kind {request.Kind}.");
        }

        if (request.Operation == EntryWriteOperation.Add && request.Kind != EntryKind.OptOut && request.SmsTypeMask == 0)
        {
            throw new ArgumentException("Suppression and bypass entries need at least one SMS type.");
        }

        var scope = EntryTarget.ScopeOf(sender, app);
        var adding = request.Operation == EntryWriteOperation.Add;
        var action = ActionOf(request.Kind, adding);
        CheckSize(NewEntryRecord(request, sender, app, scope, LongestRecipient, action));

        var liftsMoOptOuts = request.Source == Source.RemovalApproved || (request.Override && request.Reason.Length != 0);
        var items = new WriteItemResult[request.Recipients.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var text = request.Recipients[i];
            var country = "";

            // Adds take only numbers a numbering plan allows (and store their country); a remove also lifts an entry
            // of a number the plans no longer allow.
            if (!E164.TryParse(text, out var recipient) || (adding && !NumberingPlan.TryValidate(text, out country)))
            {
                items[i] = new WriteItemResult(WriteOutcome.InvalidRecipient, null, written: false);
                continue;
            }

            var exists = _view.TryGetEntry(request.TenantId, sender, app, request.Kind, recipient, out var current);
            WriteOutcome outcome;
            if (adding)
            {
                outcome = !exists ? WriteOutcome.Added
                    : request.Kind == EntryKind.OptOut || (current.SmsTypeMask == request.SmsTypeMask && await SameReasonAsync(current, request.Reason))
                        ? WriteOutcome.AlreadyPresent
                        : WriteOutcome.Updated;
            }
            else
            {
                outcome = !exists ? WriteOutcome.NotPresent
                    : request.Kind == EntryKind.OptOut && current.Source == Source.MoKeyword && !liftsMoOptOuts ? WriteOutcome.RemovalNotAllowed
                    : WriteOutcome.Removed;
            }

            if (outcome is WriteOutcome.Added or WriteOutcome.Updated or WriteOutcome.Removed)
            {
                var record = NewEntryRecord(request, sender, app, scope, text, action);
                record.Country = country;
                Add(pending, batch, record);
                items[i] = new WriteItemResult(outcome, record, written: true);
            }
            else
            {
                items[i] = new WriteItemResult(outcome, current.PendingRecord, written: false, current.Applied);
            }
        }

        pending.Items = items;
    }

    private void ValidateConfig(PendingWrite pending, ConfigWriteRequest request, WriteBatch batch)
    {
        var change = request.Change;
        var tenant = request.TenantId;
        string sender;
        var app = "";
        bool found;
        switch (change.ConfigCase)
        {
            case ConfigChange.ConfigOneofCase.InboundAddress:
                sender = change.InboundAddress.Sender;
                found = request.Delete ? _view.TryGetInboundAddress(tenant, sender, out _) : true;
                break;
            case ConfigChange.ConfigOneofCase.BlockingRule:
                // An empty sender is the tenant's default rule of the app: no inbound address to find.
                (sender, app) = (change.BlockingRule.Sender, change.BlockingRule.App);
                found = request.Delete ? _view.BlockingRuleExists(tenant, sender, app) : sender.Length == 0 || _view.TryGetInboundAddress(tenant, sender, out _);
                break;
            case ConfigChange.ConfigOneofCase.TenantPolicy:
                sender = "";
                found = true;
                break;
            case ConfigChange.ConfigOneofCase.WebhookSubscription:
                sender = "";
                var id = change.WebhookSubscription.Subscription?.Id ?? "";
                if (id.Length == 0)
                {
                    throw new ArgumentException("A webhook subscription change names no subscription id.");
                }

                // Updates and deletes need the subscription; a create names a new id (the handler made it).
                found = request.Delete || request.MustExist ? _view.WebhookSubscriptionExists(tenant, id) : true;
                break;
            case ConfigChange.ConfigOneofCase.WebhookProgress:
                sender = "";
                found = !request.Delete && _view.WebhookSubscriptionExists(tenant, change.WebhookProgress.SubscriptionId);
                break;
            default:
                throw new ArgumentException("A configuration change must hold an inbound address, a blocking rule, a tenant policy, a webhook subscription or its progress.");
        }

        if (sender.Length == 0 && change.ConfigCase == ConfigChange.ConfigOneofCase.InboundAddress)
        {
            throw new ArgumentException("The configuration change names no sender.");
        }

        var record = new ChangeRecord
        {
            TenantId = tenant,
            Sender = sender,
            App = app,
            Action = request.Delete ? ChangeAction.ConfigDelete : ChangeAction.ConfigPut,
            Source = Source.Admin,
            Reason = request.Reason,
            ActorKeyId = request.ActorKeyId,
            EventTime = EventTimeOf(request),
            Config = change,
        };
        CheckSize(record);
        if (!found)
        {
            pending.Items = [new WriteItemResult(WriteOutcome.NotFound, null, written: false)];
            return;
        }

        Add(pending, batch, record);
        pending.Items = [new WriteItemResult(WriteOutcome.Written, record, written: true)];
    }

    private void ValidateConfirmations(PendingWrite pending, ConfirmationUseRequest request, WriteBatch batch)
    {
        if (request.Sender.Length == 0)
        {
            throw new ArgumentException("A confirmation needs a sender.");
        }

        var items = new WriteItemResult[request.Recipients.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var recipient = request.Recipients[i];
            if (!_view.IsConfirmationDue(request.TenantId, request.Sender, recipient))
            {
                items[i] = new WriteItemResult(WriteOutcome.ConfirmationNotDue, null, written: false);
                continue;
            }

            var record = new ChangeRecord
            {
                TenantId = request.TenantId,
                Sender = request.Sender,
                Recipient = E164.Format(recipient),
                Action = ChangeAction.ConfirmationSent,
                Source = Source.Check,
                ActorKeyId = request.ActorKeyId,
                EventTime = EventTimeOf(request),
            };
            Add(pending, batch, record);
            items[i] = new WriteItemResult(WriteOutcome.ConfirmationGranted, record, written: true);
        }

        pending.Items = items;
    }

    private async ValueTask ValidateRecordsAsync(PendingWrite pending, RecordWriteRequest request, WriteBatch batch)
    {
        var records = await request.Build(_view);
        foreach (var record in records)
        {
            if (record.TenantId.Length == 0)
            {
                record.TenantId = request.TenantId;
            }
            else if (record.TenantId != request.TenantId)
            {
                throw new ArgumentException("A record must belong to the request's tenant.");
            }

            record.EventTime ??= EventTimeOf(request);
            if (record.ActorKeyId.Length == 0)
            {
                record.ActorKeyId = request.ActorKeyId;
            }

            CheckSize(record);
        }

        var items = new WriteItemResult[records.Count];
        for (var i = 0; i < items.Length; i++)
        {
            Add(pending, batch, records[i]);
            items[i] = new WriteItemResult(WriteOutcome.Written, records[i], written: true);
        }

        pending.Items = items;
    }

    private void Add(PendingWrite pending, WriteBatch batch, ChangeRecord record)
    {
        if (record.Recipient.Length != 0 && record.Country.Length == 0)
        {
            // The country is a function of the number (libphonenumber); stored in the record so that lists, history and
            // exports show the country the number had when it was written, whatever a later metadata version says.
            record.Country = NumberingPlan.CountryOf(record.Recipient);
        }

        batch.Entries.Add(new LogEntry { Record = record });
        _overlay.Apply(record, batch.Id, _appliedRulesOf);
        pending.LastRecord = record;
    }

    private async ValueTask<bool> SameReasonAsync(EntryState current, string reason)
    {
        if (current.PendingRecord is { } pendingRecord)
        {
            return pendingRecord.Reason == reason;
        }

        // The index keeps no reason; the entry's record does. Only re-adds with unchanged types get here. A damaged record
        // (reported where it was read) counts as another reason: the re-add then writes a whole record for the entry,
        // where failing here would fail the whole batch.
        try
        {
            var entry = await _log.ReadAsync(current.Sequence, CancellationToken.None);
            return entry is not null && entry.Record.Reason == reason;
        }
        catch (DataDamagedException)
        {
            return false;
        }
    }

    private void CheckSize(ChangeRecord record)
    {
        var size = record.CalculateSize();
        if (size > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"A history record of this request would take {size} bytes, over the limit of {_options.MaxRecordBytes}.");
        }
    }

    private Timestamp EventTimeOf(WriteRequest request) => Timestamp.FromDateTimeOffset(request.EventTime ?? _view.Now);

    private ChangeRecord NewEntryRecord(EntryWriteRequest request, string sender, string app, Scope scope, string recipient, ChangeAction action)
    {
        var record = new ChangeRecord
        {
            TenantId = request.TenantId,
            Sender = sender,
            Recipient = recipient,
            App = scope == Scope.SenderApp ? app : request.RecordedApp,
            Action = action,
            Scope = scope,
            Source = request.Source,
            Reason = request.Reason,
            ActorKeyId = request.ActorKeyId,
            SourceName = request.SourceName,
            ProviderErrorCode = request.ProviderErrorCode,
            RemovalRequestId = request.RemovalRequestId,
            EventTime = EventTimeOf(request),
        };
        if (request.Kind != EntryKind.OptOut && action is ChangeAction.Suppress or ChangeAction.BypassAdd)
        {
            record.SmsTypes.AddRange(SmsTypeMasks.ToTypes(request.SmsTypeMask));
        }

        return record;
    }

    private static ChangeAction ActionOf(EntryKind kind, bool adding) => kind switch
    {
        EntryKind.OptOut => adding ? ChangeAction.OptOut : ChangeAction.OptOutRemoved,
        EntryKind.Suppression => adding ? ChangeAction.Suppress : ChangeAction.Unsuppress,
        _ => adding ? ChangeAction.BypassAdd : ChangeAction.BypassRemove,
    };
}
