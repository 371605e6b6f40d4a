namespace OptOutGate.Server.Tenancy;

/// <summary>How an <c>authorization</c> value was read.</summary>
internal enum BearerTokenStatus
{
    /// <summary>A key of the right shape was found.</summary>
    Present,

    /// <summary>No <c>authorization</c> metadata at all.</summary>
    Missing,

    /// <summary>The value is not <c>Bearer</c>, a space and one key.</summary>
    NotBearer,

    /// <summary>A bearer value whose key cannot be an API key (length or characters; see <see cref="ApiKeyHash.IsWellFormedKey"/>).</summary>
    MalformedKey,
}

/// <summary>Reads <c>authorization: Bearer &lt;key&gt;</c> (RFC 6750 section 2.1: the scheme is case-insensitive).</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer";

    /// <summary>
    /// Splits an <c>authorization</c> value into its key. <paramref name="values"/> is how many values the header had:
    /// more than one is refused (<see cref="BearerTokenStatus.NotBearer"/>) rather than guessing which one counts.
    /// </summary>
    public static BearerTokenStatus Read(string? value, int values, out ReadOnlySpan<char> key)
    {
        key = default;
        if (values == 0 || value is null)
        {
            return BearerTokenStatus.Missing;
        }

        var span = value.AsSpan().Trim();
        if (values > 1 || span.Length <= Scheme.Length || !span.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || span[Scheme.Length] != ' ')
        {
            return BearerTokenStatus.NotBearer;
        }

        key = span[(Scheme.Length + 1)..].TrimStart(' ');
        return ApiKeyHash.IsWellFormedKey(key) ? BearerTokenStatus.Present : BearerTokenStatus.MalformedKey;
    }
}
