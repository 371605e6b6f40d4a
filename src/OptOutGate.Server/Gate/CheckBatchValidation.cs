using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;

namespace OptOutGate.Server.Gate;

/// <summary>
/// The INVALID_ARGUMENT rules of gate.proto for one batch. Messages name the field and the limit; a batch over the limit
/// is refused whole, never truncated. Malformed recipients are not an error (they get VERDICT_INVALID_RECIPIENT).
/// </summary>
internal static class CheckBatchValidation
{
    public const int MaxSenderLength = 32;
    public const int MaxAppLength = 64;

    /// <summary>Null when the batch is valid; else the INVALID_ARGUMENT message.</summary>
    public static string? Validate(CheckBatchRequest request) =>
        Validate(request.Sender, request.App, request.SmsType, request.Recipients.Count);

    /// <summary>Null when the batch is valid; else the INVALID_ARGUMENT message.</summary>
    public static string? Validate(string sender, string app, SmsType smsType, int recipients)
    {
        if (sender.Length == 0)
        {
            return "sender: required (1-32 characters).";
        }

        if (CodePoints(sender, MaxSenderLength) > MaxSenderLength)
        {
            return "sender: at most 32 characters.";
        }

        if (CodePoints(app, MaxAppLength) > MaxAppLength)
        {
            return "app: at most 64 characters.";
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

    // Lengths are Unicode code points (common.proto). Any string of at most `limit` UTF-16 units is within the limit,
    // so only longer ones are counted.
    private static int CodePoints(string value, int limit)
    {
        if (value.Length <= limit)
        {
            return value.Length;
        }

        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
