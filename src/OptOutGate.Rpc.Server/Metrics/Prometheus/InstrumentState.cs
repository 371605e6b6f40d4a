using System.Diagnostics.Metrics;
using System.Text;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>What the collector keeps for one instrument: its Prometheus family and its series.</summary>
internal abstract class InstrumentState
{
    protected InstrumentState(Instrument instrument, string name, string type)
    {
        Instrument = instrument;
        Name = name;
        Type = type;
        Help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
        ConstantLabels = ConstantLabelsOf(instrument);
    }

    public Instrument Instrument { get; }

    public string Name { get; }

    /// <summary>counter, gauge or histogram.</summary>
    public string Type { get; }

    public string Help { get; }

    /// <summary>The meter's and the instrument's own tags, as label text put before each series' labels.</summary>
    public string ConstantLabels { get; }

    /// <summary>Observable instruments report at scrape time only; their series are rebuilt on each scrape.</summary>
    public virtual bool IsObservable => false;

    public abstract bool Overflowed { get; }

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Appends the samples (no HELP/TYPE); returns false when there is no series yet.</summary>
    public abstract bool AppendSamples(StringBuilder text);

    public virtual void ClearObservations()
    {
    }

    protected static void AppendSeriesName(StringBuilder text, string name, string constantLabels, string labels, string? extraLabel = null, string? extraValue = null)
    {
        text.Append(name);
        if (constantLabels.Length == 0 && labels.Length == 0 && extraLabel is null)
        {
            return;
        }

        text.Append('{').Append(constantLabels);
        if (constantLabels.Length > 0 && labels.Length > 0)
        {
            text.Append(',');
        }

        text.Append(labels);
        if (extraLabel is not null)
        {
            if (constantLabels.Length > 0 || labels.Length > 0)
            {
                text.Append(',');
            }

            PrometheusText.AppendLabel(text, extraLabel, extraValue!);
        }

        text.Append('}');
    }

    private static string ConstantLabelsOf(Instrument instrument)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        if (instrument.Meter.Tags is { } meterTags)
        {
            tags.AddRange(meterTags);
        }

        if (instrument.Tags is { } instrumentTags)
        {
            tags.AddRange(instrumentTags);
        }

        return tags.Count == 0 ? string.Empty : TagSet.Create(tags.ToArray()).Labels;
    }
}
