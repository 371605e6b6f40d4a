using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.State;

/// <summary>SMS-type masks as the index stores them (<see cref="Index.EntryValue.SmsTypeMask"/>: bit n = SmsType n).</summary>
internal static class SmsTypeMasks
{
    /// <summary>What an opt-out blocks where no blocking rule says otherwise: every type but CONFIRMATION (DESIGN.md).</summary>
    public const byte DefaultBlocked = (1 << (int)SmsType.Marketing) | (1 << (int)SmsType.Notification) | (1 << (int)SmsType.Verification);

    public static byte Of(SmsType type) => (byte)(1 << (int)type);

    /// <summary>The mask of a repeated SmsType field; UNSPECIFIED and unknown values are ignored (requests are validated before).</summary>
    public static byte From(IEnumerable<SmsType> types)
    {
        byte mask = 0;
        foreach (var type in types)
        {
            if (type is > SmsType.Unspecified and <= SmsType.Confirmation)
            {
                mask |= Of(type);
            }
        }

        return mask;
    }

    /// <summary>The types of a mask in enum order, for records and responses.</summary>
    public static IEnumerable<SmsType> ToTypes(byte mask)
    {
        for (var type = SmsType.Marketing; type <= SmsType.Confirmation; type++)
        {
            if ((mask & Of(type)) != 0)
            {
                yield return type;
            }
        }
    }
}
