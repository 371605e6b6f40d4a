using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Decisions;

/// <summary>How many recipients of a batch got each verdict; on the stack, filled in the check loop.</summary>
internal struct CheckCounts
{
    private Counts _counts;

    public readonly uint Allowed => _counts[(int)Verdict.Allowed];

    public readonly uint AllowedBypass => _counts[(int)Verdict.AllowedBypass];

    public readonly uint BlockedOptedOut => _counts[(int)Verdict.BlockedOptedOut];

    public readonly uint BlockedTenantOptOut => _counts[(int)Verdict.BlockedTenantOptOut];

    public readonly uint BlockedSuppressed => _counts[(int)Verdict.BlockedSuppressed];

    public readonly uint InvalidRecipient => _counts[(int)Verdict.InvalidRecipient];

    public readonly uint BlockedConfirmation => _counts[(int)Verdict.BlockedConfirmation];

    public readonly uint Total
    {
        get
        {
            uint total = 0;
            for (var i = 1; i < Counts.Length; i++)
            {
                total += _counts[i];
            }

            return total;
        }
    }

    public readonly uint this[Verdict verdict] => _counts[(int)verdict];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(Verdict verdict) => _counts[(int)verdict]++;

    /// <summary><paramref name="count"/> more recipients with <paramref name="verdict"/>.</summary>
    public void Add(Verdict verdict, uint count) => _counts[(int)verdict] += count;

    public void Move(Verdict from, Verdict to)
    {
        _counts[(int)from]--;
        _counts[(int)to]++;
    }

    /// <summary>The v1 message (one allocation per batch).</summary>
    public readonly VerdictCounts ToMessage() => new()
    {
        Allowed = Allowed,
        AllowedBypass = AllowedBypass,
        BlockedOptedOut = BlockedOptedOut,
        BlockedTenantOptOut = BlockedTenantOptOut,
        BlockedSuppressed = BlockedSuppressed,
        InvalidRecipient = InvalidRecipient,
        BlockedConfirmation = BlockedConfirmation,
    };

    [InlineArray(Length)]
    private struct Counts
    {
        public const int Length = 8;
        private uint _element0;
    }
}
