using System.Globalization;

namespace OptOutGate.Rpc;

/// <summary>The <c>grpc-timeout</c> header: at most 8 ASCII digits and a unit of H, M, S, m, u or n (PROTOCOL-HTTP2.md).</summary>
public static class GrpcTimeout
{
    public const string HeaderName = "grpc-timeout";

    private const long MaxValue = 99_999_999;

    /// <summary>
    /// Parses a timeout. A value of 0 means "already expired" (grpc-js sends <c>0m</c> for a passed deadline), not
    /// "no deadline", so that such a call cannot run unbounded.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan timeout)
    {
        timeout = default;
        if (text.Length < 2 || text.Length > 9)
        {
            return false;
        }

        if (!long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        timeout = text[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromTicks(value * 10),
            'n' => TimeSpan.FromTicks(value / 100),
            _ => TimeSpan.MinValue,
        };
        return timeout != TimeSpan.MinValue;
    }

    /// <summary>
    /// Encodes a remaining time the way grpc-dotnet's client does: rounded up, in the coarsest unit that keeps the
    /// value within 8 digits; a non-positive remainder becomes <c>1n</c> (expire at once).
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }

        var ticks = timeout.Ticks;
        // Microseconds are exact enough and fit 8 digits up to 100 s; beyond, milliseconds, then seconds, then minutes.
        var micros = (ticks + 9) / 10;
        if (micros <= MaxValue)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        var millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis <= MaxValue)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        if (seconds <= MaxValue)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        var minutes = Math.Min(MaxValue, (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute);
        return minutes.ToString(CultureInfo.InvariantCulture) + "M";
    }
}
