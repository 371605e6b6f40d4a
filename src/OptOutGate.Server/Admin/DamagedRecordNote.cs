using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Server.Admin;

/// <summary>
/// Per-recipient answers whose entry details come from a history record (CheckOptOuts, the results of a write): when
/// that record is damaged, the answer itself still holds (it comes from the index, or the write was made), so it
/// goes out without the entry and with the damage in its message, instead of failing the whole call. The damage was
/// logged and counted where it was found.
/// </summary>
internal static class DamagedRecordNote
{
    /// <summary>The record of <paramref name="sequence"/>, or null (and the damage in <paramref name="result"/>'s message) when it is damaged.</summary>
    public static async ValueTask<LogEntry?> ReadAsync(ChangeLog log, ulong sequence, RecipientResult result, CancellationToken ct)
    {
        try
        {
            return await log.ReadAsync(sequence, ct);
        }
        catch (DataDamagedException e)
        {
            result.Message = "The entry's details are not shown: " + e.Message;
            return null;
        }
    }
}
