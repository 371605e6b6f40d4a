using System.Globalization;

namespace OptOutGate.LoadTests.Timeline;

/// <summary>
/// The whole machine's CPU time from /proc/stat (user, nice, system, idle, iowait, irq, softirq, steal), to tell over a
/// run how busy both cores were and how much of their time the hypervisor took (steal: a stall no thread in the
/// machine can see, and which every hop of a call then shows). Null where there is no /proc/stat.
/// </summary>
internal sealed record MachineCpu(long[] Ticks)
{
    public static MachineCpu? Read()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var fields = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields[0] == "cpu" && fields.Length >= 9
                ? new MachineCpu([.. fields.Skip(1).Take(8).Select(static f => long.Parse(f, CultureInfo.InvariantCulture))])
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The split between <paramref name="before"/> and <paramref name="after"/>: busy (user and system), idle, steal.</summary>
    public static string Between(MachineCpu? before, MachineCpu? after)
    {
        if (before is null || after is null)
        {
            return "not known here (no /proc/stat)";
        }

        var d = after.Ticks.Zip(before.Ticks, static (a, b) => (double)(a - b)).ToArray();
        var total = d.Sum();
        if (total <= 0)
        {
            return "no time passed";
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"user {(d[0] + d[1]) / total:P1}, system {(d[2] + d[5] + d[6]) / total:P1}, idle {(d[3] + d[4]) / total:P1}, steal {d[7] / total:P1}");
    }
}
