using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// What <see cref="MoClassifier"/> decided for one MO text: the action, the rule of DESIGN.md that decided (the
/// <see cref="ClassificationRule"/> numbers are the rule numbers 1-7), the keyword or revocation phrase that decided
/// with its language and scope, and the normalized text it was matched on. A DUPLICATE is never a classification:
/// detecting retries is the caller's job, before classifying.
/// </summary>
public readonly struct Classification : IEquatable<Classification>
{
    internal Classification(
        MoAction action, ClassificationRule rule, string matchedKeyword, string languageCode, bool tenantWide, string normalizedText)
    {
        Action = action;
        Rule = rule;
        MatchedKeyword = matchedKeyword;
        LanguageCode = languageCode;
        TenantWide = tenantWide;
        NormalizedText = normalizedText;
    }

    /// <summary>
    /// OPTED_OUT (rules 1-3), OPTED_IN (4), HELP (5), AMBIGUOUS (6) or NONE (7). AMBIGUOUS is what the text says; the
    /// tenant's ambiguous policy (REVIEW, OPT_OUT, IGNORE) is applied by the caller.
    /// </summary>
    public MoAction Action { get; }

    /// <summary>The first rule that applied; <c>(int)Rule</c> is its number in DESIGN.md.</summary>
    public ClassificationRule Rule { get; }

    /// <summary>The keyword or revocation phrase that decided, normalized ("STOP ALL", "REMOVE ME"); empty for NONE.</summary>
    public string MatchedKeyword { get; }

    /// <summary>The language of the matched keyword (BCP 47), for choosing the reply; empty when it has none.</summary>
    public string LanguageCode { get; }

    /// <summary>
    /// The matched opt-out keyword covers every sender of the tenant (STOPALL, STOP ALL): the caller writes the
    /// opt-out at tenant scope. Also set for AMBIGUOUS, for the OPT_OUT policy. The tenant's revoke-all policy is not
    /// reflected here.
    /// </summary>
    public bool TenantWide { get; }

    /// <summary>The message after <see cref="MoTextNormalizer"/>, the text the rules were applied to.</summary>
    public string NormalizedText { get; }

    /// <summary>True for OPTED_OUT: the recipient said stop (rules 1-3).</summary>
    public bool IsOptOut => Action == MoAction.OptedOut;

    public bool Equals(Classification other) =>
        Action == other.Action && Rule == other.Rule && TenantWide == other.TenantWide
        && string.Equals(MatchedKeyword, other.MatchedKeyword, StringComparison.Ordinal)
        && string.Equals(LanguageCode, other.LanguageCode, StringComparison.Ordinal)
        && string.Equals(NormalizedText, other.NormalizedText, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Classification other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Action, Rule, MatchedKeyword, NormalizedText);

    public static bool operator ==(Classification left, Classification right) => left.Equals(right);

    public static bool operator !=(Classification left, Classification right) => !left.Equals(right);

    public override string ToString() =>
        $"{Action} by rule {(int)Rule} ({MatchedKeyword}{(TenantWide ? ", tenant-wide" : "")}) on \"{NormalizedText}\"";
}
