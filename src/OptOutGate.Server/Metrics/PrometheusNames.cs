using System.Diagnostics.Metrics;

namespace OptOutGate.Server.Metrics;

/// <summary>
/// Instrument names to Prometheus metric names, the rule the gate's metric names have always followed: invalid
/// characters become <c>_</c> (<c>optoutgate.mo.messages</c> → <c>optoutgate_mo_messages</c>), the unit becomes a
/// suffix for the base units Prometheus names (s → <c>_seconds</c>, By → <c>_bytes</c>; annotations such as
/// <c>{call}</c> add nothing), and counters end in <c>_total</c> (OpenMetrics, and what promtool lints for).
/// </summary>
internal static class PrometheusNames
{
    public static string MetricName(Instrument instrument, bool isCounter)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var name = Sanitize(instrument.Name);
        if (isCounter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        var unitSuffix = instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        if (unitSuffix is not null && !name.EndsWith(unitSuffix, StringComparison.Ordinal))
        {
            name += unitSuffix;
        }

        return isCounter ? name + "_total" : name;
    }

    /// <summary>Maps to <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, valid for metric and label names alike.</summary>
    public static string Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "_";
        }

        return string.Create(name.Length + (char.IsAsciiDigit(name[0]) ? 1 : 0), name, static (span, name) =>
        {
            var offset = 0;
            if (char.IsAsciiDigit(name[0]))
            {
                span[0] = '_';
                offset = 1;
            }

            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                span[i + offset] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });
    }
}
