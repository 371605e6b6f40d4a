using Microsoft.Playwright;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Console;

/// <summary>A primary and its replica, both in process with API keys off (loopback), and one browser for the class.</summary>
public sealed class ReplicaConsoleFixture : IAsyncLifetime
{
    public const string Sender = "+18005550301";
    public const string Number = "+14155553301";

    private GateTestServer? _primary;
    private GateTestServer? _replica;
    private ConsoleBrowser? _browser;

    public GateTestServer Primary => _primary ?? throw new InvalidOperationException("The fixture is not initialized.");

    public GateTestServer Replica => _replica ?? throw new InvalidOperationException("The fixture is not initialized.");

    public ConsoleBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        _primary = await GateTestServer.StartAsync(new Dictionary<string, string> { ["Replication:HeartbeatInterval"] = "00:00:00.2" });
        var added = await Primary.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { Number }, Reason = "before the replica" }, GateTestServer.Options());
        _replica = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Replication:Role"] = "Replica",
            ["Replication:PrimaryAddress"] = Primary.GrpcAddress,
            ["Replication:HeartbeatInterval"] = "00:00:00.2",
        });

        // Serving means caught up; the opt-out is then on the replica too (its list is what the page shows).
        var listed = await Replica.Admin.ListEntriesAsync(new ListEntriesRequest { Filter = new EntryFilter { Sender = Sender } }, GateTestServer.Options());
        Assert.True(listed.Sequence >= added.Sequence, $"The replica serves at {listed.Sequence}, before the opt-out at {added.Sequence}.");
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }
}

/// <summary>A replica's console: the same pages over its copy of the data, read-only, saying so.</summary>
public sealed class ConsoleReplicaTests(ReplicaConsoleFixture fixture) : IClassFixture<ReplicaConsoleFixture>
{
    [Fact]
    public async Task ReplicaConsole_ShowsTheData_HidesEveryWrite_AndRefusesAForgedOne()
    {
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, fixture.Replica, key: null);
        Assert.Contains("read-only replica", await console.Page.TextContentAsync(".banner"), StringComparison.Ordinal);
        await console.ScreenshotAsync("replica-overview");

        await console.GotoAsync("/console/unsubscribed?reveal=1&sender=" + Uri.EscapeDataString(ReplicaConsoleFixture.Sender));
        Assert.Contains(ReplicaConsoleFixture.Number, await console.Page.TextContentAsync("#optouts"), StringComparison.Ordinal);
        foreach (var path in new[] { "/console/mute", "/console/inbound", "/console/unsubscribed", "/console/removals", "/console/review", "/console/webhooks", "/console/import" })
        {
            await console.GotoAsync(path);
            Assert.Contains("read-only replica", await console.Page.TextContentAsync(".banner"), StringComparison.Ordinal);
            var buttons = await console.Page.Locator("main form[method=post] button").AllTextContentsAsync();
            Assert.True(buttons.Count == 0, path + ": " + string.Join(", ", buttons));
        }

        // A write posted by hand (with its token) meets the replica's refusal, naming the primary.
        var response = await console.PostFormAsync("/console/mute?handler=add", ConsoleSession.MuteFields("+14155553302", "on a replica"));
        Assert.Equal(400, response.Status);
        Assert.Contains("read-only replica; send writes to the primary at " + fixture.Primary.GrpcAddress, await response.TextAsync(), StringComparison.Ordinal);
        var listed = await fixture.Primary.Admin.ListEntriesAsync(new ListEntriesRequest { Filter = new EntryFilter { Recipient = "+14155553302" } }, GateTestServer.Options());
        Assert.Empty(listed.Entries);
    }
}
