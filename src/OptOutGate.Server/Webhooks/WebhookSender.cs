using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Sends one signed POST and reports how it went, never throwing for the receiver's failures (only when the caller
/// cancels). One HttpClient over one SocketsHttpHandler for every subscription (pooled keep-alive connections per
/// receiver) that connect only to allowed addresses (<see cref="WebhookConnector"/>), no redirects followed (a 3xx is a failure: the URL is what the operator subscribed), a time limit per
/// POST, and at most <see cref="WebhookOptions.MaxConcurrentDeliveries"/> POSTs in flight process-wide.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private static readonly ProductInfoHeaderValue s_userAgent = new("OptOutGate-Webhooks", "1");
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _client;
    private readonly SemaphoreSlim _inFlight;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookOptions options, TimeProvider time)
    {
        var connector = new WebhookConnector(options);
        _timeout = options.RequestTimeout;
        _time = time;
        _inFlight = new SemaphoreSlim(options.MaxConcurrentDeliveries, options.MaxConcurrentDeliveries);
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseCookies = false,

            // Every connection goes to an address the options allow, checked on the address itself (WebhookAddresses);
            // no proxy (HTTP_PROXY and the like), which would reach the receiver's host with no such check.
            ConnectCallback = connector.ConnectAsync,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>POSTs <paramref name="body"/> to <paramref name="url"/>, signed with every key (a rotation signs twice).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (the worker stops); never for a slow receiver.</exception>
    public async Task<DeliveryAttempt> SendAsync(string url, string id, ReadOnlyMemory<byte> body, IReadOnlyList<byte[]> keys, CancellationToken ct)
    {
        await _inFlight.WaitAsync(ct);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.UserAgent.Add(s_userAgent);
            request.Headers.TryAddWithoutValidation("webhook-id", id);
            request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Header(keys, id, timestamp, body.Span));
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.ContentType = s_json;

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(_timeout);
            try
            {
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
                var status = (int)response.StatusCode;
                var success = response.IsSuccessStatusCode;
                return new DeliveryAttempt(success, status, success ? "" : $"the receiver answered HTTP {status}", Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new DeliveryAttempt(false, 0, $"no response within {_timeout.TotalSeconds:0.###} s (Webhooks:RequestTimeout)", Stopwatch.GetElapsedTime(started));
            }
            catch (HttpRequestException e)
            {
                return new DeliveryAttempt(false, 0, e.Message, Stopwatch.GetElapsedTime(started));
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _inFlight.Dispose();
    }
}
