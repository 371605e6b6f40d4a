using System.Globalization;
using Grpc.Core;

namespace OptOutGate.LoadTests.Reporting;

/// <summary>
/// ghz's number formats and names (printer/printer.go, runner/stats_handler.go), so that our summaries and ghz's can be
/// read and diffed side by side.
/// </summary>
internal static class GhzFormat
{
    /// <summary>ghz's <c>formatNanoUnit</c>: under 10 µs <c>"%d ns"</c>, under 1,000 ms <c>"%4.2f ms"</c>, else <c>"%4.2f s"</c>.</summary>
    public static string NanoUnit(long nanoseconds)
    {
        if (nanoseconds < 10_000)
        {
            return nanoseconds.ToString(CultureInfo.InvariantCulture) + " ns";
        }

        var ms = nanoseconds / 1_000_000.0;
        return ms < 1000 ? Fixed(ms, 2, 4) + " ms" : Fixed(ms / 1000.0, 2, 4) + " s";
    }

    /// <summary>Go's <c>%{width}.{decimals}f</c>: fixed point, left-padded with spaces to at least <paramref name="width"/>.</summary>
    public static string Fixed(double value, int decimals, int width) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).PadLeft(width);

    /// <summary>Go's <c>codes.Code.String()</c> (grpc-go codes/code_string.go): note "Canceled", one l.</summary>
    public static string StatusName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "Canceled",
        StatusCode.Unknown => "Unknown",
        StatusCode.InvalidArgument => "InvalidArgument",
        StatusCode.DeadlineExceeded => "DeadlineExceeded",
        StatusCode.NotFound => "NotFound",
        StatusCode.AlreadyExists => "AlreadyExists",
        StatusCode.PermissionDenied => "PermissionDenied",
        StatusCode.ResourceExhausted => "ResourceExhausted",
        StatusCode.FailedPrecondition => "FailedPrecondition",
        StatusCode.Aborted => "Aborted",
        StatusCode.OutOfRange => "OutOfRange",
        StatusCode.Unimplemented => "Unimplemented",
        StatusCode.Internal => "Internal",
        StatusCode.Unavailable => "Unavailable",
        StatusCode.DataLoss => "DataLoss",
        StatusCode.Unauthenticated => "Unauthenticated",
        _ => "Code(" + ((int)code).ToString(CultureInfo.InvariantCulture) + ")",
    };

    /// <summary>grpc-go's <c>status.Error(...).Error()</c>, the key of ghz's error distribution.</summary>
    public static string ErrorText(Status status) => $"rpc error: code = {StatusName(status.StatusCode)} desc = {status.Detail}";

    /// <summary>
    /// Go's text/tabwriter with minwidth 0, tabwidth 0, padding 3, pad char ' ' and every cell tab-terminated, as ghz's
    /// <c>formatStatusCode</c> and <c>formatErrorDist</c> use it: each column is as wide as its widest cell plus 3.
    /// </summary>
    public static string TabAligned(IReadOnlyList<(string First, string Second)> rows)
    {
        var first = 0;
        var second = 0;
        foreach (var (a, b) in rows)
        {
            first = Math.Max(first, a.Length);
            second = Math.Max(second, b.Length);
        }

        var sb = new System.Text.StringBuilder();
        foreach (var (a, b) in rows)
        {
            sb.Append(a.PadRight(first + 3)).Append(b.PadRight(second + 3)).Append('\n');
        }

        return sb.ToString();
    }
}
