using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// One validated keyword of a <see cref="KeywordSet"/>: its normalized text (as <see cref="MoTextNormalizer"/> makes
/// it), what it does, how it matches, its language and whether its opt-out covers the whole tenant. Immutable.
/// </summary>
public sealed class MoKeyword
{
    internal MoKeyword(string text, KeywordKind kind, MatchMode mode, string languageCode, bool tenantWide)
    {
        Text = text;
        Kind = kind;
        Mode = mode;
        LanguageCode = languageCode;
        TenantWide = tenantWide;
    }

    /// <summary>The normalized keyword ("STOP ALL", "ARRET", "退订"): words separated by single spaces.</summary>
    public string Text { get; }

    /// <summary>Opt-out, opt-in or help.</summary>
    public KeywordKind Kind { get; }

    /// <summary>EXACT (the whole message) or LEADING (the whole message or its first words).</summary>
    public MatchMode Mode { get; }

    /// <summary>BCP 47 language of the keyword ("fr" for ARRET), used to pick the reply text; empty when unknown.</summary>
    public string LanguageCode { get; }

    /// <summary>Opt-out keywords only: the opt-out covers every sender of the tenant (STOPALL, STOP ALL).</summary>
    public bool TenantWide { get; }

    /// <summary>The keyword as the contract returns it (InboundAddress.effective_keywords): normalized text.</summary>
    public Keyword ToProto() => new()
    {
        Text = Text,
        Kind = Kind,
        MatchMode = Mode,
        LanguageCode = LanguageCode,
        TenantWide = TenantWide,
    };

    public override string ToString() => $"{Text} ({Kind}, {Mode})";
}
