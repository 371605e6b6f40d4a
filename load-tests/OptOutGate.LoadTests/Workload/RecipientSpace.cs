namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// Deterministic recipient numbers, so that the dataset loaded into the gate (or Redis) and the batches checked later,
/// possibly by another process, agree on who is opted out. Index i is mixed to <c>m = (i * M + offset(seed)) mod
/// 8,000,000,000</c> (M is odd and not a multiple of 5, so the map is a bijection on [0, 8e9) and neighbouring indices land
/// far apart: no sequential keys for the index to profit from), and m to a number the numbering plans allow (the gate
/// answers INVALID_RECIPIENT for any other): block m / 10^8 of 80 blocks of 10^8 consecutive valid mobile numbers (67
/// Brazilian area codes "+55 AA 9" and 13 Chinese prefixes "+86 13x" and "+86 180-182"), then the 8 digits m mod 10^8.
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
    private const long BlockSize = 100_000_000;

    // Each prefix followed by any 8 digits is a valid mobile number (libphonenumber 9.0.43; RecipientSpaceTests checks
    // every block against it): Brazil's mobile numbers are the area code, 9 and 8 digits, China's 13x and 18x are mobile.
    private static readonly string[] Blocks = CreateBlocks();

    private readonly ulong _offset;

    public RecipientSpace(long seed)
    {
        Seed = seed;
        _offset = unchecked((ulong)seed * 0x9E37_79B9_7F4A_7C15UL) % Span;
    }

    /// <summary>The prefixes of the blocks of 10^8 numbers (for tests).</summary>
    public static IReadOnlyList<string> BlockPrefixes => Blocks;

    public long Seed { get; }

    /// <summary>The E.164 number of index <paramref name="index"/> (0 ≤ index &lt; 8e9).</summary>
    public string Number(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Span);
        var mixed = (long)(ulong)((((UInt128)(ulong)index * Multiplier) + _offset) % Span);
        var prefix = Blocks[mixed / BlockSize];
        return string.Create(prefix.Length + 8, (Prefix: prefix, Digits: mixed % BlockSize), static (span, state) =>
        {
            state.Prefix.CopyTo(span);
            var digits = state.Digits;
            for (var i = span.Length - 1; i >= state.Prefix.Length; i--)
            {
                span[i] = (char)('0' + (digits % 10));
                digits /= 10;
            }
        });
    }

    private static string[] CreateBlocks()
    {
        var blocks = new List<string>(80);
        foreach (var areaCode in (string[])[
            "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28", "31", "32", "33", "34", "35",
            "37", "38", "41", "42", "43", "44", "45", "46", "47", "48", "49", "51", "53", "54", "55", "61", "62", "63", "64",
            "65", "66", "67", "68", "69", "71", "73", "74", "75", "77", "79", "81", "82", "83", "84", "85", "86", "87", "88",
            "89", "91", "92", "93", "94", "95", "96", "97", "98", "99"])
        {
            blocks.Add("+55" + areaCode + "9");
        }

        foreach (var prefix in (string[])["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "180", "181", "182"])
        {
            blocks.Add("+86" + prefix);
        }

        return blocks.Count * BlockSize == Span ? [.. blocks] : throw new InvalidOperationException("The blocks must cover the span.");
    }

    public string OptedOut(Random random, long dataset) => Number(random.NextInt64(0, dataset));

    public string Allowed(Random random) => Number(random.NextInt64(AllowedStart, MoStart));

    public string MoSender(Random random) => Number(random.NextInt64(MoStart, LagStart));

    public string LagProbe(Random random) => Number(random.NextInt64(LagStart, Span));
}
