using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// Picks the reply of an MO from its inbound address's reply texts (admin_config.proto ReplyText): the language is the
/// MO's hint, else the matched keyword's language, else the address's default language; texts of the MO's app win over
/// the app-less ones of the same language; "fr-CA" falls back to "fr". A language without the text falls back to the
/// default language. Empty text = no reply.
/// </summary>
internal static class ReplyTexts
{
    public static (string Text, string LanguageCode) Select(InboundAddress address, string app, MoAction action, string hint, string keywordLanguage)
    {
        if (address.ReplyTexts.Count == 0)
        {
            return ("", "");
        }

        foreach (var language in (ReadOnlySpan<string>)[hint, keywordLanguage, address.DefaultLanguageCode])
        {
            if (language.Length == 0)
            {
                continue;
            }

            if (Find(address, app, language, action) is { } found)
            {
                return found;
            }
        }

        return ("", "");
    }

    private static (string Text, string LanguageCode)? Find(InboundAddress address, string app, string language, MoAction action)
    {
        // Exact tag first, then the primary subtag ("fr-CA" → "fr"); the MO's app first, then texts for every app.
        var primary = language.Split('-')[0];
        foreach (var exact in (ReadOnlySpan<bool>)[true, false])
        {
            foreach (var appOnly in (ReadOnlySpan<bool>)[true, false])
            {
                if (appOnly && app.Length == 0)
                {
                    continue;
                }

                foreach (var reply in address.ReplyTexts)
                {
                    if (!string.Equals(reply.App, appOnly ? app : "", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var matches = exact
                        ? string.Equals(reply.LanguageCode, language, StringComparison.OrdinalIgnoreCase)
                        : string.Equals(reply.LanguageCode.Split('-')[0], primary, StringComparison.OrdinalIgnoreCase);
                    if (!matches)
                    {
                        continue;
                    }

                    var text = action switch
                    {
                        MoAction.OptedOut => reply.OptOutText,
                        MoAction.OptedIn => reply.OptInText,
                        MoAction.Help => reply.HelpText,
                        _ => "",
                    };
                    return text.Length == 0 ? ("", "") : (text, reply.LanguageCode);
                }
            }
        }

        return null;
    }
}
