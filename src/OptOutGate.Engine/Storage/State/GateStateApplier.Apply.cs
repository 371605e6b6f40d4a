using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Storage.State;

internal sealed partial class GateStateApplier
{
    /// <summary>
    /// What a record does to state. A record is a decision already taken by its writer (validated against state then,
    /// in log order), so applying never second-guesses it: applying the same log always yields the same state.
    /// </summary>
    private void Apply(LogEntry entry)
    {
        var record = entry.Record;
        if (record.ReceiveTime is { } receiveTime)
        {
            _lastReceiveTime = receiveTime.ToDateTime();
        }

        if (record.TenantId.Length == 0)
        {
            // A placeholder keeps the number of a record lost to an operator's cut of a damaged log: nothing to apply.
            if (!ChangeLogCut.IsPlaceholder(record))
            {
                StateLog.RecordWithoutTenant(_logger, record.Sequence, record.Action.ToString());
            }

            return;
        }

        var tenantId = _scopes.InternTenant(record.TenantId);
        ulong recipient = 0;
        var hasRecipient = record.Recipient.Length != 0 && E164.TryParse(record.Recipient, out recipient);

        switch (record.Action)
        {
            case ChangeAction.OptOut:
                if (KeywordEffects.WritesEntry(record))
                {
                    ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.OptOut, upsert: true);
                }

                OpenConfirmationWindow(record, tenantId, hasRecipient, recipient);
                break;
            case ChangeAction.OptIn:
                if (KeywordEffects.WritesEntry(record))
                {
                    ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.OptOut, upsert: false);
                }

                if (record.LiftsTenantOptOut)
                {
                    ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.AddressOptIn, upsert: true);
                }

                OpenConfirmationWindow(record, tenantId, hasRecipient, recipient);
                break;
            case ChangeAction.OptOutRemoved:
                ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.OptOut, upsert: false);
                break;
            case ChangeAction.Suppress:
                ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.Suppression, upsert: true);
                break;
            case ChangeAction.Unsuppress:
                ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.Suppression, upsert: false);
                break;
            case ChangeAction.BypassAdd:
                ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.Bypass, upsert: true);
                break;
            case ChangeAction.BypassRemove:
                ApplyEntry(record, tenantId, hasRecipient, recipient, EntryKind.Bypass, upsert: false);
                break;
            case ChangeAction.ConfirmationSent:
                UseConfirmationWindow(record, tenantId, hasRecipient, recipient);
                break;
            case ChangeAction.ConfigPut:
                ApplyConfigPut(record);
                break;
            case ChangeAction.ConfigDelete:
                ApplyConfigDelete(record);
                break;
            default:
                // AMBIGUOUS, MO_RECEIVED, REVIEW_DISMISSED and the REMOVAL_* steps change no entry: they are history (and the
                // workflow's own state) only. An approved removal is lifted by the OPT_OUT_REMOVED record after it.
                break;
        }

        if (hasRecipient)
        {
            _heads.AdvanceRecipient(tenantId, recipient, record.Sequence);
        }

        if (record.Sender.Length != 0)
        {
            _heads.AdvanceSender(tenantId, record.Sender, record.Sequence);
        }
    }

    private void ApplyEntry(ChangeRecord record, uint tenantId, bool hasRecipient, ulong recipient, EntryKind kind, bool upsert)
    {
        if (!hasRecipient || !EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app))
        {
            StateLog.RecordWithoutTarget(_logger, record.Sequence, record.Action.ToString());
            return;
        }

        var scopeId = _scopes.InternScope(tenantId, sender, app);
        var key = EntryKey.Create(kind, recipient, scopeId, tenantId);
        if (upsert)
        {
            _index.Upsert(key, EntryValue.Create(record.Sequence, SmsTypeMasks.From(record.SmsTypes), (byte)record.Source));
        }
        else
        {
            _index.Delete(key);
        }
    }

    private void OpenConfirmationWindow(ChangeRecord record, uint tenantId, bool hasRecipient, ulong recipient)
    {
        // The confirmation goes from the address the recipient wrote to (or was opted out at); a record without one
        // (a tenant-wide change made by API) has no address to confirm from. Only a change that took effect opens one.
        var address = KeywordEffects.ConfirmationSender(record);
        if (!hasRecipient || address.Length == 0 || record.ReceiveTime is null || !KeywordEffects.OpensConfirmationWindow(record))
        {
            return;
        }

        var key = new ConfirmationKey(recipient, _scopes.InternScope(tenantId, address, ""), tenantId);
        var expire = record.ReceiveTime.ToDateTime() + _config.GetConfirmationWindow(record.TenantId);
        _config.OpenConfirmationWindow(key, expire, record.Sequence);
    }

    private void UseConfirmationWindow(ChangeRecord record, uint tenantId, bool hasRecipient, ulong recipient)
    {
        if (!hasRecipient || record.Sender.Length == 0)
        {
            StateLog.RecordWithoutTarget(_logger, record.Sequence, record.Action.ToString());
            return;
        }

        var key = new ConfirmationKey(recipient, _scopes.InternScope(tenantId, record.Sender, ""), tenantId);
        if (!_config.UseConfirmationWindow(key))
        {
            StateLog.ConfirmationWithoutWindow(_logger, record.Sequence);
        }
    }

    private void ApplyConfigPut(ChangeRecord record)
    {
        var updateTime = record.ReceiveTime ?? record.EventTime;
        switch (record.Config?.ConfigCase)
        {
            case ConfigChange.ConfigOneofCase.InboundAddress:
                _config.PutInboundAddress(record.TenantId, record.Config.InboundAddress, updateTime, record.Sequence);
                break;
            case ConfigChange.ConfigOneofCase.BlockingRule:
                _config.PutBlockingRule(record.TenantId, record.Config.BlockingRule, updateTime, record.Sequence);
                break;
            case ConfigChange.ConfigOneofCase.TenantPolicy:
                _config.PutTenantPolicy(record.TenantId, record.Config.TenantPolicy, updateTime, record.Sequence);
                break;
            case ConfigChange.ConfigOneofCase.WebhookSubscription:
                _config.PutWebhookSubscription(record.TenantId, record.Config.WebhookSubscription, updateTime, record.Sequence);
                break;
            case ConfigChange.ConfigOneofCase.WebhookProgress:
                _config.SetWebhookProgress(record.TenantId, record.Config.WebhookProgress);
                break;
            default:
                StateLog.ConfigRecordWithoutConfig(_logger, record.Sequence);
                break;
        }
    }

    private void ApplyConfigDelete(ChangeRecord record)
    {
        switch (record.Config?.ConfigCase)
        {
            case ConfigChange.ConfigOneofCase.InboundAddress:
                _config.DeleteInboundAddress(record.TenantId, record.Config.InboundAddress.Sender);
                break;
            case ConfigChange.ConfigOneofCase.BlockingRule:
                _config.DeleteBlockingRule(record.TenantId, record.Config.BlockingRule.Sender, record.Config.BlockingRule.App);
                break;
            case ConfigChange.ConfigOneofCase.TenantPolicy:
                _config.ResetTenantPolicy(record.TenantId);
                break;
            case ConfigChange.ConfigOneofCase.WebhookSubscription:
                _config.DeleteWebhookSubscription(record.TenantId, record.Config.WebhookSubscription.Subscription?.Id ?? "");
                break;
            default:
                StateLog.ConfigRecordWithoutConfig(_logger, record.Sequence);
                break;
        }
    }
}
