using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Text;

namespace OptOutGate.Engine.Mo;

/// <summary>The INVALID_ARGUMENT rules of mo.proto for one message; the message names the field, never a full number.</summary>
internal static class MoValidation
{
    /// <summary>An MO's text: at most 4,096 characters (mo.proto).</summary>
    public const int MaxText = 4096;

    /// <summary>A carrier's message id: at most 128 characters (mo.proto).</summary>
    public const int MaxCarrierMessageId = 128;

    /// <summary>Null when the message is well-formed, else why not.</summary>
    public static string? Validate(MoMessage? message)
    {
        if (message is null)
        {
            return "message: required.";
        }

        if (message.InboundAddress.Length == 0)
        {
            return "message.inbound_address: required.";
        }

        if (TextLimits.Exceeds(message.InboundAddress, TextLimits.MaxSender))
        {
            return "message.inbound_address: longer than 32 characters.";
        }

        if (!E164.TryParse(message.FromNumber, out _))
        {
            return "message.from_number: not E.164 (+ and 8-15 digits, the first not 0).";
        }

        if (!NumberingPlan.TryValidate(message.FromNumber, out _))
        {
            return "message.from_number: not a number any numbering plan allows (libphonenumber metadata).";
        }

        if (message.CarrierMessageId.Length == 0)
        {
            return "message.carrier_message_id: required.";
        }

        if (TextLimits.Exceeds(message.CarrierMessageId, MaxCarrierMessageId))
        {
            return "message.carrier_message_id: longer than 128 characters.";
        }

        if (TextLimits.Exceeds(message.Text, MaxText))
        {
            return "message.text: longer than 4,096 characters.";
        }

        if (message.CarrierTime is null)
        {
            return "message.carrier_time: required.";
        }

        // 0001-01-01 to 9999-12-31 (google/protobuf/timestamp.proto).
        if (message.CarrierTime.Seconds is < -62_135_596_800 or > 253_402_300_799
            || message.CarrierTime.Nanos is < 0 or > 999_999_999)
        {
            return "message.carrier_time: not a valid timestamp.";
        }

        if (TextLimits.Exceeds(message.App, TextLimits.MaxApp))
        {
            return "message.app: longer than 64 characters.";
        }

        if (message.LanguageCode.Length > TextLimits.MaxLanguageCode)
        {
            return "message.language_code: longer than 35 characters.";
        }

        return null;
    }
}
