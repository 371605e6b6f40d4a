namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// Deterministic recipient numbers, so that the dataset loaded into the gate (or Redis) and the batches checked later,
/// possibly by another process, agree on who is opted out. Index i maps to the E.164 number "+1" followed by ten digits
/// <c>2,000,000,000 + ((i * M + offset(seed)) mod 8,000,000,000)</c>; M is odd and not a multiple of 5, so the map is a
/// bijection on [0, 8e9) and neighbouring indices land far apart (no sequential keys for the index to profit from).
/// The index ranges never overlap, so the workloads cannot disturb each other's expectations:
/// opted out [0, dataset); never opted out [1e9, 6e9); MO senders [6e9, 7e9); lag probes [7e9, 8e9).
/// </summary>
internal sealed class RecipientSpace
{
    public const long MaxDataset = 1_000_000_000;
    public const long AllowedStart = MaxDataset;
    public const long MoStart = 6_000_000_000;
    public const long LagStart = 7_000_000_000;
    public const long Span = 8_000_000_000;

    private const ulong Multiplier = 2_654_435_761;
    private const long Base = 2_000_000_000;

    private readonly ulong _offset;

    public RecipientSpace(long seed)
    {
        Seed = seed;
        _offset = unchecked((ulong)seed * 0x9E37_79B9_7F4A_7C15UL) % Span;
    }

    public long Seed { get; }

    /// <summary>The E.164 number of index <paramref name="index"/> (0 ≤ index &lt; 8e9).</summary>
    public string Number(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Span);
        var mixed = (ulong)((((UInt128)(ulong)index * Multiplier) + _offset) % Span);
        return string.Create(12, Base + (long)mixed, static (span, digits) =>
        {
            span[0] = '+';
            span[1] = '1';
            for (var i = 11; i >= 2; i--)
            {
                span[i] = (char)('0' + (digits % 10));
                digits /= 10;
            }
        });
    }

    public string OptedOut(Random random, long dataset) => Number(random.NextInt64(0, dataset));

    public string Allowed(Random random) => Number(random.NextInt64(AllowedStart, MoStart));

    public string MoSender(Random random) => Number(random.NextInt64(MoStart, LagStart));

    public string LagProbe(Random random) => Number(random.NextInt64(LagStart, Span));
}
