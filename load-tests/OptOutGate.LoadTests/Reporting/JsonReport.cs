using System.Text.Json;

namespace OptOutGate.LoadTests.Reporting;

/// <summary>
/// ghz's JSON report (<c>-O json</c>, runner/reporter.go): durations in nanoseconds, histogram marks in seconds, status
/// names as Go spells them. Additions: <c>recipientsPerSecond</c>, <c>recipients</c>, <c>tallies</c>, and this tool's
/// own settings in <c>options</c>. Per-call <c>details</c> are not written (ghz caps them at 1M entries anyway).
/// </summary>
internal static class JsonReport
{
    /// <summary>Writes one report as an object, or several (race, mixed, half load) as an array of objects.</summary>
    public static void Write(string path, IReadOnlyList<LoadReport> reports, IReadOnlyDictionary<string, object?> options, string endReason)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (reports.Count == 1)
        {
            WriteOne(json, reports[0], options, endReason);
        }
        else
        {
            json.WriteStartArray();
            foreach (var report in reports)
            {
                WriteOne(json, report, options, endReason);
            }

            json.WriteEndArray();
        }
    }

    public static void WriteOne(Utf8JsonWriter json, LoadReport report, IReadOnlyDictionary<string, object?> options, string endReason)
    {
        json.WriteStartObject();
        json.WriteString("name", report.Name);
        json.WriteString("endReason", endReason);
        json.WriteString("date", DateTimeOffset.Now.ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteStartObject("options");
        foreach (var (key, value) in options)
        {
            json.WritePropertyName(key);
            JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object));
        }

        json.WriteEndObject();
        json.WriteNumber("count", report.Count);
        json.WriteNumber("total", report.Total.Ticks * 100);
        json.WriteNumber("average", report.AverageNanos);
        json.WriteNumber("fastest", report.FastestNanos);
        json.WriteNumber("slowest", report.SlowestNanos);
        json.WriteNumber("rps", report.Rps);
        if (report.CountsRecipients)
        {
            json.WriteNumber("recipients", report.Recipients);
            json.WriteNumber("recipientsPerSecond", report.RecipientsPerSecond);
        }

        json.WriteStartObject("errorDistribution");
        foreach (var (text, n) in report.Errors)
        {
            json.WriteNumber(text, n);
        }

        json.WriteEndObject();
        json.WriteStartObject("statusCodeDistribution");
        foreach (var (code, n) in report.Codes)
        {
            json.WriteNumber(GhzFormat.StatusName(code), n);
        }

        json.WriteEndObject();
        json.WriteStartArray("latencyDistribution");
        if (report.SortedOkNanos.Length > 0)
        {
            foreach (var p in LoadReport.Percentages)
            {
                json.WriteStartObject();
                json.WriteNumber("percentage", p);
                json.WriteNumber("latency", LoadReport.Percentile(report.SortedOkNanos, p));
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteStartArray("histogram");
        foreach (var (mark, count, frequency) in LoadReport.Histogram(report.SortedOkNanos))
        {
            json.WriteStartObject();
            json.WriteNumber("mark", mark);
            json.WriteNumber("count", count);
            json.WriteNumber("frequency", frequency);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("tallies");
        foreach (var (key, n) in report.Counters)
        {
            json.WriteNumber(key, n);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
