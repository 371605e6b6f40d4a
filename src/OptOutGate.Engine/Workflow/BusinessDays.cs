namespace OptOutGate.Engine.Workflow;

/// <summary>Due dates of review items: business days are Monday to Friday, UTC, no holidays (admin_config.proto).</summary>
internal static class BusinessDays
{
    public const int DefaultReviewDays = 10;

    /// <summary>
    /// <paramref name="start"/> plus <paramref name="days"/> business days, at the same time of day. A start on a weekend
    /// counts from the next Monday's start ("received Saturday, 1 business day" is due Tuesday 00:00).
    /// </summary>
    public static DateTime Add(DateTime start, int days)
    {
        var time = start;
        if (time.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            time = time.Date.AddDays(time.DayOfWeek == DayOfWeek.Saturday ? 2 : 1);
        }

        var left = days;
        while (left > 0)
        {
            time = time.AddDays(1);
            if (time.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                left--;
            }
        }

        return time;
    }

    /// <summary>The tenant's review_due_business_days: 0 = 10.</summary>
    public static int ReviewDays(int configured) => configured <= 0 ? DefaultReviewDays : configured;
}
