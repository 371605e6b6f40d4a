using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>
/// Bad input, the parts GateCheckTests does not cover: bad input on the write path, the unknown-sender
/// contract of gate.proto, and garbage bytes from a plain HTTP/2 client; each bad call fails alone and leaves the
/// state as it was.
/// </summary>
public sealed class BadInputIsolationTests
{
    [Fact]
    public async Task BadWrites_FailAlone_InvalidRecipientsInPlace_AndNothingIsWritten()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var api = new GateApi(channel);

        var tooMany = Enumerable.Range(0, 10_001).Select(i => "+1415" + (6_000_000 + i)).ToArray();
        var error = await Assert.ThrowsAsync<RpcException>(() => api.AddOptOutsAsync(tooMany));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(0UL, await api.HeadAsync());

        var mixed = await api.AddOptOutsAsync(["+14155550100", "0014155550101", "+14155550102", "+1 415", ""]);
        Assert.Equal(
            [RecipientOutcome.Added, RecipientOutcome.InvalidRecipient, RecipientOutcome.Added, RecipientOutcome.InvalidRecipient, RecipientOutcome.InvalidRecipient],
            mixed.Results.Select(r => r.Outcome));
        Assert.Equal(2UL, mixed.Sequence);
        Assert.Equal([1UL, 2UL], (await api.ExportHistoryAsync()).Select(r => r.Sequence));
    }

    [Fact]
    public async Task UnknownSenderAndApp_AreAllowed_UnlessATenantWideEntryApplies()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var api = new GateApi(channel);
        await api.AddOptOutsAsync(["+14155550100"]);
        var tenantWide = await api.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Tenant, Recipients = { "+14155550101" } });
        Assert.Equal(RecipientOutcome.Added, tenantWide.Results[0].Outcome);

        // Neither the sender nor the app was ever configured or named before.
        var response = await api.CheckBatchAsync(new CheckBatchRequest { Sender = "NEVERSEEN", App = "no-such-app", SmsType = SmsType.Marketing, Recipients = { "+14155550100", "+14155550101", "+14155550102" } });

        // The sender-scoped opt-out is for another sender; the tenant-wide one applies to every sender and app.
        Assert.Equal([Verdict.Allowed, Verdict.BlockedTenantOptOut, Verdict.Allowed], response.Verdicts);
        Assert.Equal(tenantWide.Sequence, response.Sequence);
    }

    [Theory]
    [InlineData("/optoutgate.v1.Gate/CheckBatch")]
    [InlineData("/optoutgate.v1.Admin/AddOptOuts")]
    public async Task GarbageProtobufFromARawHttp2Client_IsInternal_TheServerKeepsServing_AndTheStateIsIntact(string path)
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var api = new GateApi(channel);
        var added = await api.AddOptOutsAsync(["+14155550100"]);

        using var http = new HttpClient(new SocketsHttpHandler());
        // Field 4 (recipients) claims 100 bytes and 3 follow; then bytes that are no valid tag at all.
        byte[] garbage = [0x22, 0x64, 0x2B, 0x31, 0x34, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var frame = new byte[5 + garbage.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)garbage.Length);
            garbage.CopyTo(frame, 5);
            using var request = new HttpRequestMessage(HttpMethod.Post, gate.GrpcAddress + path) { Content = new ByteArrayContent(frame), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode} {response.Version}: {response.Headers} {System.Text.Encoding.UTF8.GetString(body)}");
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
                : response.Headers.GetValues("grpc-status").Single();
            Assert.Equal(((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture), status);
        }

        // Still serving, and nothing was written or lost.
        Assert.Equal(added.Sequence, await api.HeadAsync());
        var check = await api.CheckBatchAsync(new CheckBatchRequest { Sender = GateApi.Sender, SmsType = SmsType.Marketing, Recipients = { "+14155550100", "+14155550199" } });
        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], check.Verdicts);
        Assert.Single(await api.ExportHistoryAsync());
    }
}
