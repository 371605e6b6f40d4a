using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;
using OptOutGate.Engine.Text;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Admin;

/// <summary>
/// The limits of admin_config.proto, checked before a configuration change goes to the write pipeline (which leaves
/// field validation to the handlers). Each failure is INVALID_ARGUMENT naming the field.
/// </summary>
internal static class ConfigValidation
{
    public const int MaxKeywords = 200;
    public const int MaxKeywordLength = 30;
    public const int MaxReplyTexts = 50;
    public const int MaxReplyLength = 1600;
    public const int MaxDescription = 200;

    /// <summary>Validates the address and returns the copy to store: keywords normalized, output-only fields cleared.</summary>
    public static InboundAddress PrepareInboundAddress(InboundAddress? address)
    {
        if (address is null)
        {
            throw AdminErrors.InvalidArgument("inbound_address is required.");
        }

        TextChecks.CheckSender(address.Sender, "inbound_address.sender");
        if (TextLimits.Exceeds(address.Description, MaxDescription))
        {
            throw AdminErrors.InvalidArgument("inbound_address.description: at most 200 characters.");
        }

        var stored = new InboundAddress
        {
            Sender = address.Sender,
            Description = address.Description,
            DefaultLanguageCode = address.DefaultLanguageCode,
        };
        stored.Keywords.AddRange(NormalizeKeywords(address.Keywords, "inbound_address.keywords"));
        CheckReplyTexts(address);
        stored.ReplyTexts.AddRange(address.ReplyTexts);
        return stored;
    }

    /// <summary>Checks a keyword set (InboundAddress.keywords, TenantPolicy.keywords) and returns it normalized.</summary>
    public static List<Keyword> NormalizeKeywords(RepeatedField<Keyword> keywords, string field)
    {
        if (keywords.Count > MaxKeywords)
        {
            throw AdminErrors.InvalidArgument($"{field} has {keywords.Count} keywords; at most {MaxKeywords}.");
        }

        var normalized = new List<Keyword>(keywords.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < keywords.Count; i++)
        {
            var keyword = keywords[i];
            var at = $"{field}[{i}]";
            var text = MoTextNormalizer.Normalize(keyword.Text);
            var length = TextLimits.CodePoints(text);
            if (length is < 1 or > MaxKeywordLength)
            {
                throw AdminErrors.InvalidArgument($"{at}.text must be 1-{MaxKeywordLength} characters after normalization.");
            }

            if (keyword.Kind is <= KeywordKind.Unspecified or > KeywordKind.Help)
            {
                throw AdminErrors.InvalidArgument($"{at}.kind is required (OPT_OUT, OPT_IN or HELP).");
            }

            if (keyword.MatchMode is <= MatchMode.Unspecified or > MatchMode.Leading)
            {
                throw AdminErrors.InvalidArgument($"{at}.match_mode is required (EXACT or LEADING).");
            }

            if (keyword.LanguageCode.Length != 0 && !TextLimits.IsLanguageCode(keyword.LanguageCode))
            {
                throw AdminErrors.InvalidArgument($"{at}.language_code is not a BCP 47 language tag.");
            }

            if (keyword.TenantWide && keyword.Kind != KeywordKind.OptOut)
            {
                throw AdminErrors.InvalidArgument($"{at}.tenant_wide is allowed on opt-out keywords only.");
            }

            if (!seen.Add(text))
            {
                throw AdminErrors.InvalidArgument($"{at}.text '{text}' appears twice after normalization.");
            }

            normalized.Add(new Keyword
            {
                Text = text,
                Kind = keyword.Kind,
                MatchMode = keyword.MatchMode,
                LanguageCode = keyword.LanguageCode,
                TenantWide = keyword.TenantWide,
            });
        }

        if (normalized.Count != 0)
        {
            // DESIGN.md: tenants and addresses may remove every default keyword but the FCC's per-se opt-out words
            // (47 CFR 64.1200(a)(10)), START and HELP.
            var missing = new List<string>();
            foreach (var (text, kind) in KeywordSet.Required)
            {
                if (!Has(normalized, text, kind))
                {
                    missing.Add($"{text} ({ContractName(kind)})");
                }
            }

            if (missing.Count != 0)
            {
                throw AdminErrors.InvalidArgument(
                    $"{field}: a non-empty keyword set must keep {KeywordSet.RequiredText}; missing: {string.Join(", ", missing)}.");
            }
        }

        return normalized;
    }

    public static List<SmsType> BlockedTypes(RepeatedField<SmsType> types, string field)
    {
        if (types.Count == 0)
        {
            throw AdminErrors.InvalidArgument(field + " must name at least one of MARKETING, NOTIFICATION, VERIFICATION.");
        }

        var set = new SortedSet<SmsType>();
        foreach (var type in types)
        {
            if (type is not (SmsType.Marketing or SmsType.Notification or SmsType.Verification))
            {
                throw AdminErrors.InvalidArgument(field + " may hold only MARKETING, NOTIFICATION and VERIFICATION (CONFIRMATION follows its own rule).");
            }

            set.Add(type);
        }

        return [.. set];
    }

    private static bool Has(List<Keyword> keywords, string text, KeywordKind kind)
    {
        foreach (var keyword in keywords)
        {
            if (keyword.Text == text && keyword.Kind == kind)
            {
                return true;
            }
        }

        return false;
    }

    private static string ContractName(KeywordKind kind) => kind switch
    {
        KeywordKind.OptOut => "KEYWORD_KIND_OPT_OUT",
        KeywordKind.OptIn => "KEYWORD_KIND_OPT_IN",
        _ => "KEYWORD_KIND_HELP",
    };

    private static void CheckReplyTexts(InboundAddress address)
    {
        if (address.ReplyTexts.Count > MaxReplyTexts)
        {
            throw AdminErrors.InvalidArgument($"inbound_address.reply_texts has {address.ReplyTexts.Count} entries; at most {MaxReplyTexts}.");
        }

        var seen = new HashSet<(string App, string Language)>();
        var languages = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < address.ReplyTexts.Count; i++)
        {
            var reply = address.ReplyTexts[i];
            var at = $"inbound_address.reply_texts[{i}]";
            if (!TextLimits.IsLanguageCode(reply.LanguageCode))
            {
                throw AdminErrors.InvalidArgument(at + ".language_code is required and must be a BCP 47 language tag.");
            }

            TextChecks.CheckApp(reply.App, at + ".app");
            if (!seen.Add((reply.App, reply.LanguageCode)))
            {
                throw AdminErrors.InvalidArgument(at + ": (app, language_code) appears twice.");
            }

            CheckReply(reply.OptOutText, at + ".opt_out_text");
            CheckReply(reply.OptInText, at + ".opt_in_text");
            CheckReply(reply.HelpText, at + ".help_text");
            languages.Add(reply.LanguageCode);
        }

        if (address.ReplyTexts.Count != 0 && !languages.Contains(address.DefaultLanguageCode))
        {
            throw AdminErrors.InvalidArgument("inbound_address.default_language_code is required with reply_texts and must be one of their languages.");
        }

        if (address.ReplyTexts.Count == 0 && address.DefaultLanguageCode.Length != 0 && !TextLimits.IsLanguageCode(address.DefaultLanguageCode))
        {
            throw AdminErrors.InvalidArgument("inbound_address.default_language_code is not a BCP 47 language tag.");
        }
    }

    private static void CheckReply(string text, string field)
    {
        if (TextLimits.Exceeds(text, MaxReplyLength))
        {
            throw AdminErrors.InvalidArgument($"{field}: at most {MaxReplyLength} characters.");
        }
    }
}
