using OptOutGate.LoadTests.Reporting;
using Grpc.Core;

namespace OptOutGate.LoadTests.Tests.Reporting;

public class GhzFormatTests
{
    [Theory]
    [InlineData(0, "0 ns")]
    [InlineData(9_999, "9999 ns")] // under 10 µs: whole nanoseconds
    [InlineData(10_000, "0.01 ms")]
    [InlineData(1_234_567, "1.23 ms")]
    [InlineData(999_990_000, "999.99 ms")]
    [InlineData(1_000_000_000, "1.00 s")]
    [InlineData(12_500_000_000, "12.50 s")]
    public void NanoUnit_matches_ghz_formatNanoUnit(long nanos, string expected) =>
        Assert.Equal(expected, GhzFormat.NanoUnit(nanos));

    [Theory]
    [InlineData(1.0, 2, 6, "  1.00")] // Go %6.2f pads left
    [InlineData(5.0, 3, 4, "5.000")] // wider than the width: no padding, no truncation
    [InlineData(1234.5678, 2, 4, "1234.57")]
    public void Fixed_is_go_percent_f(double value, int decimals, int width, string expected) =>
        Assert.Equal(expected, GhzFormat.Fixed(value, decimals, width));

    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.Cancelled, "Canceled")]
    [InlineData(StatusCode.InvalidArgument, "InvalidArgument")]
    [InlineData(StatusCode.DeadlineExceeded, "DeadlineExceeded")]
    [InlineData(StatusCode.Unavailable, "Unavailable")]
    [InlineData(StatusCode.Unauthenticated, "Unauthenticated")]
    public void Status_names_are_go_codes(StatusCode code, string expected) =>
        Assert.Equal(expected, GhzFormat.StatusName(code));

    [Fact]
    public void Error_text_is_grpc_go_error_string() =>
        Assert.Equal("rpc error: code = Unimplemented desc = not yet", GhzFormat.ErrorText(new Status(StatusCode.Unimplemented, "not yet")));

    [Fact]
    public void TabAligned_pads_every_column_to_its_widest_cell_plus_three()
    {
        var text = GhzFormat.TabAligned([("  [OK]", "186 responses"), ("  [Unavailable]", "3 responses")]);

        Assert.Equal("  [OK]            186 responses   \n  [Unavailable]   3 responses     \n", text);
    }
}
