using System.Globalization;

namespace OptOutGate.LoadTests;

/// <summary>Command-line options, named like ghz's where ghz has the same option (-c, -z).</summary>
internal sealed record LoadTestOptions(string Scenario, Uri Address, int Concurrency, TimeSpan Duration, TimeSpan Warmup)
{
    public const string Usage =
        "usage: OptOutGate.LoadTests unary --address <http[s]://host:port> [-c|--concurrency 64] [-z|--duration 10s] [--warmup 2s]";

    public static bool TryParse(string[] args, out LoadTestOptions options, out string error)
    {
        options = null!;
        if (args.Length == 0)
        {
            error = "A scenario is required.";
            return false;
        }

        Uri? address = null;
        var concurrency = 64;
        var duration = TimeSpan.FromSeconds(10);
        var warmup = TimeSpan.FromSeconds(2);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                error = $"Option {name} needs a value.";
                return false;
            }

            var value = args[++i];
            var ok = name switch
            {
                "--address" => Uri.TryCreate(value, UriKind.Absolute, out address),
                "-c" or "--concurrency" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out concurrency) && concurrency > 0,
                "-z" or "--duration" => TryParseDuration(value, out duration),
                "--warmup" => TryParseDuration(value, out warmup),
                _ => false,
            };
            if (!ok)
            {
                error = $"Bad option {name} {value}.";
                return false;
            }
        }

        if (address is null)
        {
            error = "--address is required.";
            return false;
        }

        options = new LoadTestOptions(args[0], address, concurrency, duration, warmup);
        error = string.Empty;
        return true;
    }

    /// <summary>Go-style durations as ghz takes them: <c>500ms</c>, <c>10s</c>, <c>2m</c>; a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), (string.Empty, 1)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0)
            {
                duration = TimeSpan.FromSeconds(value * scale);
                return true;
            }
        }

        duration = default;
        return false;
    }
}
