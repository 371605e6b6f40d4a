using System.Diagnostics.Metrics;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// Instrument names to Prometheus metric names: invalid characters become <c>_</c>, the unit becomes a suffix
/// for the base units Prometheus names (s → <c>_seconds</c>, By → <c>_bytes</c>; annotations such as
/// <c>{call}</c> add nothing), and counters end in <c>_total</c> (OpenMetrics, and what promtool lints for).
/// </summary>
internal static class PrometheusNaming
{
    public static string MetricName(Instrument instrument, bool isCounter)
    {
        var name = Sanitize(instrument.Name, allowColon: true);
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

    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    /// <summary>Maps to <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c> (metric names) or <c>[a-zA-Z_][a-zA-Z0-9_]*</c> (label names).</summary>
    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var valid = true;
        for (var i = 0; i < name.Length && valid; i++)
        {
            valid = IsValid(name[i], i == 0, allowColon);
        }

        if (valid)
        {
            return name;
        }

        return string.Create(name.Length + (char.IsAsciiDigit(name[0]) ? 1 : 0), (name, allowColon), static (span, state) =>
        {
            var offset = 0;
            if (char.IsAsciiDigit(state.name[0]))
            {
                span[0] = '_';
                offset = 1;
            }

            for (var i = 0; i < state.name.Length; i++)
            {
                var c = state.name[i];
                span[i + offset] = IsValid(c, i + offset == 0, state.allowColon) ? c : '_';
            }
        });
    }

    private static bool IsValid(char c, bool first, bool allowColon)
        => char.IsAsciiLetter(c) || c == '_' || (c == ':' && allowColon) || (!first && char.IsAsciiDigit(c));
}
