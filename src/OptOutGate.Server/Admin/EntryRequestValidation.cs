using System.Globalization;
using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Admin;

/// <summary>The whole-call checks of the entry RPCs (admin_optouts.proto "Targets" and limits); per-recipient problems are outcomes, not errors.</summary>
internal static class EntryRequestValidation
{
    /// <summary>Recipients per call: 10,000, a hundred times Azure's Opt-Out API limit of 100 (admin_optouts.proto).</summary>
    public const int MaxRecipients = 10_000;

    public static void CheckTarget(Scope scope, string sender, string app)
    {
        switch (scope)
        {
            case Scope.Tenant when sender.Length != 0 || app.Length != 0:
                throw AdminErrors.InvalidArgument("SCOPE_TENANT takes no sender and no app.");
            case Scope.Tenant:
                return;
            case Scope.Sender when app.Length != 0:
                throw AdminErrors.InvalidArgument("SCOPE_SENDER takes no app (use SCOPE_SENDER_APP).");
            case Scope.SenderApp when app.Length == 0:
                throw AdminErrors.InvalidArgument("SCOPE_SENDER_APP needs an app.");
            case Scope.Sender or Scope.SenderApp or Scope.Unspecified:
                TextChecks.CheckSender(sender, "sender");
                TextChecks.CheckApp(app, "app");
                return;
            default:
                throw AdminErrors.InvalidArgument("scope is not a known scope.");
        }
    }

    public static void CheckRecipients(RepeatedField<string> recipients)
    {
        if (recipients.Count == 0)
        {
            throw AdminErrors.InvalidArgument("recipients: at least one recipient is required.");
        }

        if (recipients.Count > MaxRecipients)
        {
            throw AdminErrors.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"recipients: {recipients.Count:N0} recipients; at most 10,000 per call."));
        }
    }

    /// <summary>The mask of a suppression (CONFIRMATION allowed) or bypass (CONFIRMATION not allowed) type list.</summary>
    public static byte SmsTypeMask(RepeatedField<SmsType> types, bool allowConfirmation)
    {
        if (types.Count == 0)
        {
            throw AdminErrors.InvalidArgument("sms_types: at least one SMS type is required.");
        }

        foreach (var type in types)
        {
            if (type is <= SmsType.Unspecified or > SmsType.Confirmation)
            {
                throw AdminErrors.InvalidArgument($"sms_types: {OptOutGate.Engine.Text.ContractNames.Full(type)} is not an SMS type (SMS_TYPE_UNSPECIFIED and unknown values are not allowed).");
            }

            if (type == SmsType.Confirmation && !allowConfirmation)
            {
                throw AdminErrors.InvalidArgument("sms_types: a bypass cannot name CONFIRMATION (it follows its own rule).");
            }
        }

        return SmsTypeMasks.From(types);
    }
}
