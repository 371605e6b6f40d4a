using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// A real HTTP receiver for webhooks: a Kestrel app on 127.0.0.1 with a port the OS picks, recording every POST it gets
/// (headers, body, when) and answering as the test's <see cref="Answer"/> says: a status, or never (until the test ends).
/// Test deliveries (the creation's "webhook.test") are always answered 200 and kept apart in <see cref="Tests"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<ReceivedPost> _posts = [];
    private readonly List<ReceivedPost> _tests = [];
    private readonly List<ReceivedPost> _started = [];
    private int _hanging;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The status to answer a POST with (the number of event POSTs so far, this one included, is given); null = never answer.</summary>
    public Func<int, ReceivedPost, int?> Answer { get; set; } = static (_, _) => 200;

    public string Url { get; private set; } = "";

    /// <summary>Event POSTs whose answer has been decided, in arrival order (with the status they got; 0 = still hanging).</summary>
    public IReadOnlyList<ReceivedPost> Posts
    {
        get
        {
            lock (_lock)
            {
                return [.. _posts];
            }
        }
    }

    /// <summary>Event POSTs answered 2xx.</summary>
    public IReadOnlyList<ReceivedPost> Accepted => [.. Posts.Where(static p => p.Status is >= 200 and < 300)];

    /// <summary>Event POSTs that reached the receiver, answered or hanging.</summary>
    public int Started
    {
        get
        {
            lock (_lock)
            {
                return _started.Count;
            }
        }
    }

    /// <summary>Every event POST that reached the receiver, in arrival order, whatever came of it.</summary>
    public IReadOnlyList<ReceivedPost> StartedPosts
    {
        get
        {
            lock (_lock)
            {
                return [.. _started];
            }
        }
    }

    /// <summary>POSTs being held unanswered right now.</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    /// <summary>The creation's test deliveries.</summary>
    public IReadOnlyList<ReceivedPost> Tests
    {
        get
        {
            lock (_lock)
            {
                return [.. _tests];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the answered POSTs, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<WebhookReceiver, bool> condition, TimeSpan timeout, string what)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (!condition(this))
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; the receiver got {Posts.Count} answered POSTs ({Started} started): " + string.Join(", ", Posts.Select(static p => $"{p.Id}={p.Status}")));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var post = new ReceivedPost(
            context.Request.Headers["webhook-id"].ToString(),
            context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(),
            body.ToArray(),
            DateTime.UtcNow);
        if (post.Id.Contains("_test_", StringComparison.Ordinal))
        {
            Record(_tests, post with { Status = 200 });
            context.Response.StatusCode = 200;
            return;
        }

        int number;
        lock (_lock)
        {
            _started.Add(post);
            number = _started.Count;
        }

        var status = Answer(number, post);
        if (status is null)
        {
            // Never answers: holds the request until the gate gives up on it (or dies) or the test ends.
            Interlocked.Increment(ref _hanging);
            Notify();
            try
            {
                using var held = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.RequestAborted);
                await Task.Delay(Timeout.Infinite, held.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Interlocked.Decrement(ref _hanging);
            Notify();
            return;
        }

        Record(_posts, post with { Status = status.Value });
        context.Response.StatusCode = status.Value;
    }

    private void Record(List<ReceivedPost> list, ReceivedPost post)
    {
        lock (_lock)
        {
            list.Add(post);
        }

        Notify();
    }

    private void Notify()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}

/// <summary>One POST as the receiver got it.</summary>
public sealed record ReceivedPost(string Id, string Timestamp, string Signature, byte[] Body, DateTime ReceivedAt, int Status = 0)
{
    private JsonDocument? _json;

    public JsonElement Json => (_json ??= JsonDocument.Parse(Body)).RootElement;

    /// <summary>The events of the body: the body itself, or a batch's <c>data.events</c>.</summary>
    public IEnumerable<JsonElement> Events =>
        Json.GetProperty("type").GetString() == "batch" ? Json.GetProperty("data").GetProperty("events").EnumerateArray() : [Json];

    /// <summary>The history sequence numbers this POST carries, in body order.</summary>
    public IEnumerable<ulong> Sequences => Events.Select(static e => e.GetProperty("data").GetProperty("sequence").GetUInt64());
}
