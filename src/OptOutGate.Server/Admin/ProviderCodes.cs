using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Admin;

/// <summary>The "recipient opted out" send errors of known providers (DESIGN.md "Provider feedback", admin_optouts.proto).</summary>
internal static class ProviderCodes
{
    /// <summary>The provider's opt-out error code and its display name (recorded as source_name when none is given).</summary>
    public static bool TryGet(Provider provider, out string code, out string name)
    {
        (code, name) = provider switch
        {
            Provider.Twilio => ("21610", "Twilio"),
            Provider.Telnyx => ("40300", "Telnyx"),
            Provider.Vonage => ("9", "Vonage"),
            Provider.Plivo => ("200", "Plivo"),
            Provider.Sinch => ("257", "Sinch"),
            _ => ("", ""),
        };
        return code.Length != 0;
    }
}
