using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OptOutGate.LoadTests.Webhooks;

/// <summary>
/// The webhook receiver of the load generator: Kestrel on a loopback port, answering 200 to every POST and noting, for
/// each event, when it arrived (Stopwatch timestamp, the same clock as the MO acknowledgements) by its carrier message
/// id, and whether its Standard Webhooks signature verifies with the subscription's secret.
/// </summary>
internal sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _arrivals = new(StringComparer.Ordinal);
    private byte[] _key = [];
    private long _posts;
    private long _events;
    private long _badSignatures;

    private ReceiverHost(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public long Posts => Interlocked.Read(ref _posts);

    public long Events => Interlocked.Read(ref _events);

    public long BadSignatures => Interlocked.Read(ref _badSignatures);

    /// <summary>When the event of <paramref name="carrierMessageId"/> arrived (its first delivery).</summary>
    public bool TryGetArrival(string carrierMessageId, out long timestamp) => _arrivals.TryGetValue(carrierMessageId, out timestamp);

    /// <summary>The secret signatures are checked with (from the subscription's creation).</summary>
    public void UseSecret(string secret) => _key = Convert.FromBase64String(secret["whsec_".Length..]);

    public static async Task<ReceiverHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var host = new ReceiverHost(app);
        app.MapPost("/hook", host.HandleAsync);
        await app.StartAsync();
        host.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/hook";
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        Interlocked.Increment(ref _posts);
        if (_key.Length != 0 && !Verifies(context.Request.Headers, bytes))
        {
            Interlocked.Increment(ref _badSignatures);
        }

        using var json = JsonDocument.Parse(bytes);
        var root = json.RootElement;
        var events = root.GetProperty("type").GetString() == "batch" ? root.GetProperty("data").GetProperty("events").EnumerateArray().ToList() : [root];
        foreach (var item in events)
        {
            if (item.GetProperty("data").TryGetProperty("record", out var record) && record.TryGetProperty("carrierMessageId", out var id))
            {
                _arrivals.TryAdd(id.GetString()!, arrived);
            }

            Interlocked.Increment(ref _events);
        }

        context.Response.StatusCode = 200;
    }

    private bool Verifies(IHeaderDictionary headers, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{headers["webhook-id"]}.{headers["webhook-timestamp"]}.").Concat(body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(_key, signed));
        return headers["webhook-signature"].ToString().Split(' ').Contains(expected);
    }
}
