using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Gate;

/// <summary>
/// The INVALID_ARGUMENT rules of gate.proto for one batch. Messages name the field and the limit (lengths in code points, Grpc/TextChecks); a batch over the limit
/// is refused whole, never truncated. Malformed recipients are not an error (they get VERDICT_INVALID_RECIPIENT).
/// </summary>
internal static class CheckBatchValidation
{
    /// <summary>Null when the batch is valid; else the INVALID_ARGUMENT message.</summary>
    public static string? Validate(CheckBatchRequest request) =>
        Validate(request.Sender, request.App, request.SmsType, request.Recipients.Count + request.RecipientsE164.Count);

    /// <summary>Null when the batch is valid; else the INVALID_ARGUMENT message.</summary>
    public static string? Validate(string sender, string app, SmsType smsType, int recipients)
    {
        if ((TextChecks.SenderProblem(sender, "sender") ?? TextChecks.AppProblem(app, "app")) is { } text)
        {
            return text;
        }

        if (smsType == SmsType.Unspecified)
        {
            return "sms_type: required (SMS_TYPE_UNSPECIFIED is not a type).";
        }

        if (smsType is < SmsType.Marketing or > SmsType.Confirmation)
        {
            return string.Create(CultureInfo.InvariantCulture, $"sms_type: unknown value {(int)smsType}.");
        }

        if (recipients > CheckEngine.MaxRecipients)
        {
            return string.Create(CultureInfo.InvariantCulture, $"recipients: {recipients} given; at most 10,000 per batch (split the batch; it is never truncated).");
        }

        return null;
    }
}
