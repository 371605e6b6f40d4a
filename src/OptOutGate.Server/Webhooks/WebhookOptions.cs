namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Webhook delivery, from the "Webhooks" configuration section; every default is usable as it is.
/// <code>
/// "Webhooks": { "AllowedHttpHosts": [ "receiver.internal" ], "AllowedPrivateHosts": [ "receiver.internal" ], "RequestTimeout": "00:00:10", "MaxRetryAge": "1.00:00:00",
///               "InitialRetryDelay": "00:00:01", "MaxRetryDelay": "00:05:00", "MaxSubscriptionsPerTenant": 20 }
/// </code>
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Hosts (names or IP addresses, compared case-insensitively) that may be reached over plain http besides loopback.
    /// Every other URL must be https: the payloads carry phone numbers and MO texts. Default none.
    /// </summary>
    public List<string> AllowedHttpHosts { get; } = [];

    /// <summary>
    /// Hosts (names or IP addresses, compared case-insensitively) whose receivers may be on an address that is not public:
    /// loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata services,
    /// fe80::/10) and the other reserved ranges. Every other host must be, and is checked to be, on a public address: at
    /// create and update for an address in the URL, and at every connection for the address a name resolves to. Loopback
    /// receivers (<c>127.0.0.1</c>, <c>localhost</c>, <c>::1</c>) need listing too. Default none.
    /// </summary>
    public List<string> AllowedPrivateHosts { get; } = [];

    /// <summary>One POST's time limit, connecting included; a receiver slower than this counts as failed. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a delivery the receiver does not accept is retried (from its first failure) before the subscription is
    /// marked FAILING and stops until replayed. Default 24 hours.
    /// </summary>
    public TimeSpan MaxRetryAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry's delay; each further retry doubles it (with jitter) up to <see cref="MaxRetryDelay"/>. Default 1 s.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts. Default 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Subscriptions one tenant may have (each runs its own delivery worker). Default 20.</summary>
    public int MaxSubscriptionsPerTenant { get; set; } = 20;

    /// <summary>POSTs in flight at once over every subscription (each subscription has at most one). Default 64.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 64;

    /// <summary>
    /// How often the delivery cursors are fsync'ed (they are written at every acknowledgement, which a process crash
    /// never loses; a machine crash can resend up to this much). Default 1 s.
    /// </summary>
    public TimeSpan CursorFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a subscription whose deliveries moved has its progress written into the change log (a WebhookProgress
    /// record), which a replica promoted to primary resumes from: it resends at most about this much. Default 30 s.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a rotated-out secret keeps signing when the rotation does not say. Default 24 hours.</summary>
    public TimeSpan DefaultSecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Every problem, for start-up validation; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add("Webhooks:RequestTimeout must be between 100 ms and 5 minutes.");
        }

        if (MaxRetryAge < TimeSpan.Zero || MaxRetryAge > TimeSpan.FromDays(30))
        {
            problems.Add("Webhooks:MaxRetryAge must be between 0 and 30 days.");
        }

        if (InitialRetryDelay < TimeSpan.FromMilliseconds(1) || InitialRetryDelay > MaxRetryDelay)
        {
            problems.Add("Webhooks:InitialRetryDelay must be at least 1 ms and at most Webhooks:MaxRetryDelay.");
        }

        if (MaxRetryDelay > TimeSpan.FromHours(24))
        {
            problems.Add("Webhooks:MaxRetryDelay must be at most 24 hours.");
        }

        if (MaxSubscriptionsPerTenant is < 1 or > 1_000)
        {
            problems.Add("Webhooks:MaxSubscriptionsPerTenant must be between 1 and 1,000.");
        }

        if (MaxConcurrentDeliveries is < 1 or > 10_000)
        {
            problems.Add("Webhooks:MaxConcurrentDeliveries must be between 1 and 10,000.");
        }

        if (CursorFlushInterval < TimeSpan.FromMilliseconds(10) || CursorFlushInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add("Webhooks:CursorFlushInterval must be between 10 ms and 1 minute.");
        }

        if (ProgressInterval < TimeSpan.FromMilliseconds(100) || ProgressInterval > TimeSpan.FromHours(1))
        {
            problems.Add("Webhooks:ProgressInterval must be between 100 ms and 1 hour.");
        }

        if (DefaultSecretOverlap < TimeSpan.Zero || DefaultSecretOverlap > TimeSpan.FromDays(7))
        {
            problems.Add("Webhooks:DefaultSecretOverlap must be between 0 and 7 days.");
        }

        foreach (var host in AllowedHttpHosts.Concat(AllowedPrivateHosts))
        {
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                problems.Add($"Webhooks:{(AllowedHttpHosts.Contains(host) ? "AllowedHttpHosts" : "AllowedPrivateHosts")}: '{host}' is not a host name or IP address.");
            }
        }

        return problems;
    }
}
