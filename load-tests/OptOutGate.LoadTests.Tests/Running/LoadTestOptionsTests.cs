using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Tests.Running;

public class LoadTestOptionsTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("3", 3)]
    public void Durations_are_go_style(string text, double seconds)
    {
        Assert.True(LoadTestOptions.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Fact]
    public void Ghz_style_flags_parse()
    {
        Assert.True(LoadTestOptions.TryParse(
            ["check", "-c", "8", "--connections=4", "-z", "5s", "-r", "2000", "--sms-type", "SMS_TYPE_NOTIFICATION", "--no-load", "--address", "http://127.0.0.1:6000"],
            out var options, out var error), error);

        Assert.Equal("check", options.Command);
        Assert.Equal(8, options.Concurrency);
        Assert.Equal(4, options.Connections);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Duration);
        Assert.Equal(2000, options.Rps);
        Assert.Equal(SmsType.Notification, options.SmsType);
        Assert.True(options.NoLoad);
        Assert.Equal(6000, options.Address.Port);
    }

    [Theory]
    [InlineData("check", "-c", "0")]
    [InlineData("check", "--opted-out-share", "1.5")]
    [InlineData("check", "--sms-type", "unspecified")]
    [InlineData("check", "--bogus", "1")]
    [InlineData("check", "-z")]
    [InlineData("check", "--direct")]
    [InlineData("mo", "--direct", "-r", "100")]
    [InlineData("check", "--direct", "-r", "100", "--address", "https://127.0.0.1:6000")]
    [InlineData("check", "--stream")]
    [InlineData("check-stream", "--stream")]
    [InlineData("race", "--stream", "--direct", "--address", "https://127.0.0.1:6000")]
    public void Bad_options_are_refused(params string[] args) =>
        Assert.False(LoadTestOptions.TryParse(args, out _, out _));

    [Fact]
    public void The_race_has_both_peers_unless_told_otherwise()
    {
        Assert.True(LoadTestOptions.TryParse(["race"], out var both, out _));
        Assert.Equal(["redis", "garnet"], both.Peers.Select(static p => p.Name));
        Assert.Equal("garnet-server", both.PeerExecutable(LoadTests.Race.RacePeerKind.Garnet));

        Assert.True(LoadTestOptions.TryParse(["race", "--peers", "garnet", "--garnet-server", "/opt/garnet-server"], out var one, out _));
        Assert.Equal(["garnet"], one.Peers.Select(static p => p.Name));
        Assert.Equal("/opt/garnet-server", one.PeerExecutable(LoadTests.Race.RacePeerKind.Garnet));
    }

    [Theory]
    [InlineData("--peers", "memcached")]
    [InlineData("--peers", "redis,redis")]
    [InlineData("--peers", ",")]
    public void Bad_peer_lists_are_refused(string name, string value) =>
        Assert.False(LoadTestOptions.TryParse(["race", name, value], out _, out _));

    [Theory]
    [InlineData("check", "--direct", "-r", "100")]
    [InlineData("check", "--direct", "--find-half-load")]
    [InlineData("race", "--stream", "--direct")]
    [InlineData("race", "--direct")]
    public void Direct_takes_a_paced_check_or_the_races_gate_side(params string[] args)
    {
        Assert.True(LoadTestOptions.TryParse(args, out var options, out var error), error);
        Assert.True(options.Direct);
    }

    [Fact]
    public void The_race_takes_the_compact_form_and_the_stream()
    {
        Assert.True(LoadTestOptions.TryParse(["race", "--compact", "--stream"], out var options, out var error), error);
        Assert.True(options.Compact);
        Assert.True(options.Stream);
        Assert.True(LoadTestOptions.TryParse(["check", "--compact"], out var check, out error), error);
        Assert.True(check.Compact);
        Assert.False(check.Stream);
    }
}
