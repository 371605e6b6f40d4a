using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Webhooks;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// A subscription cannot make the gate reach its own network: receivers on private, loopback, link-local (cloud
/// metadata) and reserved addresses are refused at create and update unless Webhooks:AllowedPrivateHosts lists the
/// host, and a name that resolves to such an address is refused at connect time, where DNS rebinding cannot get past
/// it (the delivery fails with a last_error that says why, and the receiver gets nothing). The test hosts list
/// 127.0.0.1, where the other tests' receivers listen.
/// </summary>
public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.2")]
    [InlineData("0.0.0.0")]
    [InlineData("100.64.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("192.0.2.2")]
    [InlineData("203.0.113.9")]
    [InlineData("2001:db8::1")]
    public void NotPublic(string address) => Assert.False(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public(string address) => Assert.True(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task PrivateAddressesInTheUrl_AreRefusedAtCreateAndUpdate_UnlessListed()
    {
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Webhooks:AllowedPrivateHosts:1"] = "10.9.9.9",
            ["Webhooks:RequestTimeout"] = "00:00:00.200",
        });
        var hooks = new WebhookClient(gate.Channel);
        foreach (var url in new[]
        {
            "https://169.254.169.254/latest/meta-data", "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://192.168.0.10/hook",
            "https://127.0.0.2/hook", "https://[::1]:8443/hook", "https://[fe80::1]/hook", "https://[fd00::1]/hook", "https://[::ffff:10.0.0.1]/hook",
            "https://localhost/hook", "http://localhost:8080/hook", "https://api.localhost/hook", "https://0.0.0.0/hook",
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => hooks.CreateAsync(url));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains("Webhooks:AllowedPrivateHosts", refused.Status.Detail, StringComparison.Ordinal);
        }

        // A listed host is allowed (its test delivery finds nobody there: a failed result, not a refusal).
        var listed = await hooks.CreateAsync("https://10.9.9.9/hook");
        Assert.False(listed.TestResult.Success);

        // Update is held to the same rule.
        var update = await Assert.ThrowsAsync<RpcException>(() => hooks.Admin.UpdateWebhookSubscriptionAsync(
            new UpdateWebhookSubscriptionRequest
            {
                Subscription = new WebhookSubscription { Id = listed.Subscription.Id, Url = "https://169.254.169.254/hook" },
                UpdateMask = new FieldMask { Paths = { "url" } },
            },
            hooks.Options()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, update.StatusCode);
        Assert.Contains("169.254.169.254 is not a public address", update.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANameThatResolvesToAPrivateAddress_IsBlockedAtConnect_WithTheReasonInLastError()
    {
        // This machine's own name resolves to a loopback or private address (/etc/hosts, a container's address): a name
        // that passes the URL check and reaches a private address only when resolved, as a rebinding name would.
        var host = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(host);
        Assert.True(addresses.Length > 0 && addresses.All(a => !WebhookAddresses.IsPublic(a)), $"precondition: '{host}' resolves to non-public addresses only ({string.Join(", ", addresses.Select(a => a.ToString()))})");

        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Webhooks:AllowedHttpHosts:0"] = host,
            ["Webhooks:InitialRetryDelay"] = "00:00:00.020",
            ["Webhooks:MaxRetryDelay"] = "00:00:00.100",
        });
        var hooks = new WebhookClient(gate.Channel);
        var url = new UriBuilder(receiver.Url) { Host = host }.Uri.ToString();
        var created = await hooks.CreateAsync(url, types: WebhookEventType.OptOut);
        Assert.False(created.TestResult.Success);
        Assert.Contains("Webhooks:AllowedPrivateHosts", created.TestResult.Error, StringComparison.Ordinal);

        await hooks.OptOutAsync("+18005550100", "+14155550901");
        var failing = await hooks.WaitForStatusAsync(created.Subscription.Id, s => s.LastError.Length != 0, TimeSpan.FromSeconds(30));
        Assert.Contains($"blocked: '{host}' resolves only to addresses that are not public", failing.Status.LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Posts);
    }
}
