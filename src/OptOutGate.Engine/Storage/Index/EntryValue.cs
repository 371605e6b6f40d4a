namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The index value: 8 bytes, written whole (an aligned 8-byte store is atomic, so readers without locks never see a
/// half-written value). Layout: bits 0-39 the sequence number of the history record that made the entry
/// (2^40 ≈ 10^12 changes), bits 40-47 the SMS-type mask (bit n = SmsType n), bits 48-51 the Source (an MO_KEYWORD source
/// is what makes a removal need an approved request or an override).
/// Everything else about the entry (reason, times, text) is in its history record.
/// </summary>
public readonly record struct EntryValue(ulong Packed)
{
    private const int MaskShift = 40;
    private const int SourceShift = 48;
    private const ulong SequenceMask = (1UL << 40) - 1;

    public static EntryValue Create(ulong sequence, byte smsTypeMask, byte source) =>
        new((sequence & SequenceMask) | ((ulong)smsTypeMask << MaskShift) | ((ulong)(source & 0xF) << SourceShift));

    /// <summary>The sequence number of the history record that created or last changed the entry.</summary>
    public ulong Sequence => Packed & SequenceMask;

    /// <summary>Bit n set = SmsType n covered (for opt-outs: recorded types; the blocking rule decides at check time).</summary>
    public byte SmsTypeMask => (byte)(Packed >> MaskShift);

    /// <summary>The Source enum value (v1 contract) of the change that made the entry.</summary>
    public byte Source => (byte)((Packed >> SourceShift) & 0xF);
}
