using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Overview;

/// <summary>Opt-outs and opt-ins per day for the overview's chart, counted from history pages, newest first, up to a bound.</summary>
internal sealed class DailyCounts(DateOnly first, int days)
{
    public DateOnly First { get; } = first;

    public int Days { get; } = days;

    public int[] OptOuts { get; } = new int[days];

    public int[] OptIns { get; } = new int[days];

    /// <summary>True when the bound was reached before the oldest day: the older days' bars are partial.</summary>
    public bool Partial { get; set; }

    public void Add(ChangeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var day = DateOnly.FromDateTime((record.EventTime ?? record.ReceiveTime).ToDateTime()).DayNumber - First.DayNumber;
        if (day < 0 || day >= Days)
        {
            return;
        }

        if (record.Action == ChangeAction.OptOut)
        {
            OptOuts[day]++;
        }
        else if (record.Action == ChangeAction.OptIn)
        {
            OptIns[day]++;
        }
    }
}
