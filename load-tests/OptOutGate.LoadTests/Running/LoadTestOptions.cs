using System.Globalization;
using OptOutGate.Contracts.V1;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// Command-line options, parsed by hand (the tool has a dozen flags; a parser library would be the bigger part). Named
/// like ghz's where ghz has the same option: -c, --connections, -z, -n, --rps (ghz -r), -t/--timeout.
/// </summary>
internal sealed class LoadTestOptions
{
    public const string Usage = """
        usage: OptOutGate.LoadTests <command> [options]

        commands:
          unary          grpc.health.v1.Health/Check, closed loop
          check          Gate.CheckBatch (loads the opt-out dataset first unless --no-load)
          check-stream   Gate.CheckStream, --in-flight batches per stream, -c streams
          mo             Mo.StreamMo, realistic text mix, --in-flight messages per stream, -c streams
                         (--reply-callback: with a reply-callback webhook subscription, so every MO is recorded)
          webhook        paced MO STOPs (-r, default 500/s) with a webhook subscription to a receiver on loopback:
                         time from each STOP's acknowledgement to the receiver having its event (p50, p99)
          mixed          check and mo at once, both reported
          lag            write at --address, poll CheckBatch at --replica until the verdict changes
          race           the check workload against the gate and against each peer's SMISMEMBER (redis-server,
                         garnet-server), each peer alternating with the gate
          ghz-data       write ghz data files (check-batch.json, check-stream.json, mo.json) to --out
          wait-ready     poll Health/Check until SERVING or -t passes
          load           load the opt-out dataset (--dataset, --load-via, --load-parallelism) and exit
          timeline       join a paced direct run's --timeline with the gate's (--gate-timeline, the gate's
                         Gate:CallTimelinePath) and print where the tail's time goes, hop by hop
          wait-loaded    poll Health/Check and CheckBatch (first, middle, last number of --dataset) from before the
                         gate listens; print when each answered (serving_unix_ms=, first_check_unix_ms=)

        common:    --address http://127.0.0.1:50051  -c|--concurrency 16  --connections 2  -z|--duration 10s
                   -n|--total 0  --warmup 3s  -r|--rps 0 (unlimited)  -t|--timeout 20s  --key <api key>
                   --json <file>  --name <text>  --seed 1
        check:     --batch-size 1000  --opted-out-share 0.02  --dataset 1000000  --no-load  --load-via add|import
                   --load-parallelism 4  --sender LOADTEST  --app ""  --sms-type marketing  --batches 64
                   --find-half-load (max load, then half of it: p99 at half load)
                   --direct (paced runs, -r or the half of --find-half-load, on the direct HTTP/2 client: open loop,
                   one pacing thread sends, reader threads complete, no thread pool; h2c only)
                   --timeline <file> (with --direct: each paced call's client timeline, CSV, for `timeline`)
                   --compact (the gate's batches carry the numbers as recipients_e164, packed integers, instead of
                   text; the same numbers, answered alike; race peers still get them as text members)
        streams:   --in-flight 8 (per stream)
        mo:        --mo-sender (default --sender)  --reply-callback  --webhook-batch 1 (events per POST, 1-100)
                   --webhook-paused (the subscription paused: every MO recorded, nothing delivered)
        webhook:   --mo-sender  -r 500  --in-flight 8 (per stream)  -c 2 (streams)  --webhook-batch 1
        mixed:     --mo-streams 2  --mo-in-flight 16  --mo-rps 0
        lag:       --replica <address> (default --address)  --use-min-sequence  (-n samples, default 200; -c default 1)
        race:      --rounds 3 (each -z long)  --peers redis,garnet  --redis-server redis-server
                   --garnet-server garnet-server  --gate-pid <pid> (adds the gate's CPU per call)
                   --stream (the gate's side on CheckStream: one stream per connection, batches pipelined on it as
                   the peers' commands are on their sockets)  --direct (the gate's side, CheckBatch calls or
                   CheckStream batches, on the direct HTTP/2 client, bare like the peers' RESP client, instead of
                   Grpc.Net.Client)
        timeline:  --timeline <client file>  --gate-timeline <the gate's timeline directory>
        ghz-data:  --out ./ghz-data  --mo-messages 1000  --stream-batches 10
        """;

    public string Command { get; private set; } = string.Empty;

    public Uri Address { get; private set; } = new("http://127.0.0.1:50051");

    public Uri? Replica { get; private set; }

    public int Concurrency { get; private set; } = 16;

    /// <summary>Whether -c was given (lag samples one at a time unless it was).</summary>
    public bool ConcurrencyGiven { get; private set; }

    public int Connections { get; private set; } = 2;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public long Total { get; private set; }

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    public double Rps { get; private set; }

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(20);

    public string? Key { get; private set; }

    public string? JsonPath { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public long Seed { get; private set; } = 1;

    public int BatchSize { get; private set; } = 1000;

    public double OptedOutShare { get; private set; } = 0.02;

    public long Dataset { get; private set; } = 1_000_000;

    public bool NoLoad { get; private set; }

    public string LoadVia { get; private set; } = "add";

    public int LoadParallelism { get; private set; } = 4;

    public string Sender { get; private set; } = "LOADTEST";

    public string App { get; private set; } = string.Empty;

    public SmsType SmsType { get; private set; } = SmsType.Marketing;

    /// <summary>
    /// Whether each answer's BLOCKED_OPTED_OUT count can be checked against the batch: a CONFIRMATION depends on the
    /// confirmation windows open after recent opt-outs and opt-ins (common.proto), not on the dataset alone.
    /// </summary>
    public bool ChecksVerdicts => SmsType != SmsType.Confirmation;

    public int Batches { get; private set; } = 64;

    public bool FindHalfLoad { get; private set; }

    /// <summary>The client's call timeline file: written by a paced direct check run, read by the timeline command.</summary>
    public string? TimelinePath { get; private set; }

    /// <summary>The directory the gate wrote its call timeline to (timeline command).</summary>
    public string? GateTimelinePath { get; private set; }

    /// <summary>Paced check runs go through the direct HTTP/2 client (Http2/DirectUnaryRun) instead of the project's client.</summary>
    public bool Direct { get; private set; }

    /// <summary>The race's gate side on CheckStream (one stream per connection) instead of unary CheckBatch calls.</summary>
    public bool Stream { get; private set; }

    /// <summary>CheckBatch requests carry the numbers as recipients_e164 (packed integers) instead of text recipients.</summary>
    public bool Compact { get; private set; }

    public int InFlight { get; private set; } = 8;

    public string? MoSender { get; private set; }

    public int MoStreams { get; private set; } = 2;

    public int MoInFlight { get; private set; } = 16;

    public double MoRps { get; private set; }

    public bool UseMinSequence { get; private set; }

    /// <summary>mo: run with a reply-callback webhook subscription (every MO recorded and delivered to a local receiver).</summary>
    public bool ReplyCallback { get; private set; }

    /// <summary>mo --reply-callback: the subscription is paused, so the run measures recording without delivering.</summary>
    public bool WebhookPaused { get; private set; }

    /// <summary>mo --reply-callback and webhook: the subscription's max_batch_size (events per POST).</summary>
    public int WebhookBatch { get; private set; } = 1;

    public int Rounds { get; private set; } = 3;

    public string RedisServer { get; private set; } = "redis-server";

    public string GarnetServer { get; private set; } = "garnet-server";

    /// <summary>The gate's process id, when it runs on this machine: the race reports its CPU per call.</summary>
    public int? GatePid { get; private set; }

    /// <summary>The race's peers, in the order each round runs them (each after a gate run of its own).</summary>
    public IReadOnlyList<Race.RacePeerKind> Peers { get; private set; } = Race.RacePeerKind.All;

    public string Out { get; private set; } = "ghz-data";

    public int MoMessages { get; private set; } = 1000;

    public int StreamBatches { get; private set; } = 10;

    /// <summary>The executable the race starts for a peer (--redis-server, --garnet-server).</summary>
    public string PeerExecutable(Race.RacePeerKind kind) => kind == Race.RacePeerKind.Garnet ? GarnetServer : RedisServer;

    /// <summary>Whether -n was given: the run stops after that many counted calls instead of after -z.</summary>
    public bool ByCount => Total > 0;

    public static bool TryParse(string[] args, out LoadTestOptions options, out string error)
    {
        options = new LoadTestOptions();
        error = string.Empty;
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            error = "A command is required.";
            return false;
        }

        options.Command = args[0];
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string? inline = null;
            if (name.StartsWith("--", StringComparison.Ordinal) && name.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (options.TrySetFlag(name))
            {
                continue;
            }

            string value;
            if (inline is not null)
            {
                value = inline;
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                error = $"Option {name} needs a value.";
                return false;
            }

            if (!options.TrySet(name, value))
            {
                error = $"Bad option or value: {name} {value}";
                return false;
            }
        }

        error = options.Inconsistency() ?? string.Empty;
        return error.Length == 0;
    }

    /// <summary>Options that parse one by one but cannot go together.</summary>
    private string? Inconsistency() => Direct switch
    {
        false when TimelinePath is not null && Command == "check" => "--timeline records the direct client's calls: add --direct.",
        true when Command is not ("check" or "race") => "--direct applies to the check and race commands only.",
        true when Command == "check" && Rps <= 0 && !FindHalfLoad => "--direct drives paced runs: give -r/--rps or --find-half-load.",
        true when Address.Scheme != Uri.UriSchemeHttp => "--direct speaks plain-text HTTP/2 (h2c): the address must be http://.",
        _ => Stream && Command != "race" ? "--stream applies to the race command only (check-stream is the stream's own command)." : null,
    };

    /// <summary>Go-style durations as ghz takes them: <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c>; a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("us", 0.000_001), ("s", 1), ("m", 60), ("h", 3600), (string.Empty, 1)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0)
            {
                duration = TimeSpan.FromSeconds(value * scale);
                return true;
            }
        }

        duration = default;
        return false;
    }

    /// <summary>An SMS type as <c>marketing</c>, <c>MARKETING</c> or <c>SMS_TYPE_MARKETING</c>.</summary>
    public static bool TryParseSmsType(string text, out SmsType type)
    {
        var bare = text.StartsWith("SMS_TYPE_", StringComparison.OrdinalIgnoreCase) ? text[9..] : text;
        return Enum.TryParse(bare.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out type)
            && type != SmsType.Unspecified && Enum.IsDefined(type);
    }

    /// <summary>The settings that shape a run, for the JSON report's <c>options</c> (keys as ghz names them where it has them).</summary>
    public Dictionary<string, object?> Describe(string call) => new()
    {
        ["host"] = Address.Authority,
        // ghz's spelling of a call: package.Service.Method.
        ["call"] = call.TrimStart('/').Replace('/', '.'),
        ["insecure"] = Address.Scheme == Uri.UriSchemeHttp,
        ["total"] = Total,
        ["concurrency"] = Concurrency,
        ["connections"] = Connections,
        ["qps"] = Rps,
        ["direct"] = Direct,
        ["compact"] = Compact,
        ["stream"] = Stream,
        ["duration"] = (long)(Duration.TotalMilliseconds * 1_000_000),
        ["timeout"] = (long)(Timeout.TotalMilliseconds * 1_000_000),
        ["warmup"] = (long)(Warmup.TotalMilliseconds * 1_000_000),
        ["batch-size"] = BatchSize,
        ["opted-out-share"] = OptedOutShare,
        ["dataset"] = Dataset,
        ["sender"] = Sender,
        ["app"] = App,
        ["sms-type"] = SmsType.ToString(),
        ["in-flight"] = InFlight,
        ["seed"] = Seed,
        ["CPUs"] = Environment.ProcessorCount,
    };

    private bool TrySetFlag(string name)
    {
        switch (name)
        {
            case "--no-load":
                NoLoad = true;
                return true;
            case "--find-half-load":
                FindHalfLoad = true;
                return true;
            case "--direct":
                Direct = true;
                return true;
            case "--compact":
                Compact = true;
                return true;
            case "--stream":
                Stream = true;
                return true;
            case "--reply-callback":
                ReplyCallback = true;
                return true;
            case "--webhook-paused":
                WebhookPaused = true;
                return true;
            case "--use-min-sequence":
                UseMinSequence = true;
                return true;
            default:
                return false;
        }
    }

    private bool TrySet(string name, string value)
    {
        var c = CultureInfo.InvariantCulture;
        switch (name)
        {
            case "--address":
                return TryUri(value, v => Address = v);
            case "--replica":
                return TryUri(value, v => Replica = v);
            case "-c" or "--concurrency":
                ConcurrencyGiven = true;
                return TryPositive(value, v => Concurrency = v);
            case "--connections":
                return TryPositive(value, v => Connections = v);
            case "-z" or "--duration":
                return TryDuration(value, v => Duration = v);
            case "-n" or "--total":
                return long.TryParse(value, NumberStyles.None, c, out var total) && Set(() => Total = total);
            case "--warmup":
                return TryDuration(value, v => Warmup = v);
            case "-r" or "--rps":
                return double.TryParse(value, NumberStyles.Float, c, out var rps) && rps >= 0 && Set(() => Rps = rps);
            case "-t" or "--timeout":
                return TryDuration(value, v => Timeout = v);
            case "--key":
                return Set(() => Key = value);
            case "--timeline":
                return Set(() => TimelinePath = value);
            case "--gate-timeline":
                return Set(() => GateTimelinePath = value);
            case "--json":
                return Set(() => JsonPath = value);
            case "--name":
                return Set(() => Name = value);
            case "--seed":
                return long.TryParse(value, NumberStyles.None, c, out var seed) && Set(() => Seed = seed);
            case "--batch-size":
                return TryPositive(value, v => BatchSize = v);
            case "--opted-out-share":
                return double.TryParse(value, NumberStyles.Float, c, out var share) && share is >= 0 and <= 1 && Set(() => OptedOutShare = share);
            case "--dataset":
                return long.TryParse(value, NumberStyles.None, c, out var dataset) && dataset <= Workload.RecipientSpace.MaxDataset && Set(() => Dataset = dataset);
            case "--load-via":
                return value is "add" or "import" && Set(() => LoadVia = value);
            case "--load-parallelism":
                return TryPositive(value, v => LoadParallelism = v);
            case "--sender":
                return value.Length is > 0 and <= 32 && Set(() => Sender = value);
            case "--app":
                return Set(() => App = value);
            case "--sms-type":
                return TryParseSmsType(value, out var type) && Set(() => SmsType = type);
            case "--batches":
                return TryPositive(value, v => Batches = v);
            case "--in-flight":
                return TryPositive(value, v => InFlight = v);
            case "--mo-sender":
                return Set(() => MoSender = value);
            case "--mo-streams":
                return TryPositive(value, v => MoStreams = v);
            case "--mo-in-flight":
                return TryPositive(value, v => MoInFlight = v);
            case "--webhook-batch":
                return TryPositive(value, v => WebhookBatch = v) && WebhookBatch <= 100;
            case "--mo-rps":
                return double.TryParse(value, NumberStyles.Float, c, out var moRps) && moRps >= 0 && Set(() => MoRps = moRps);
            case "--rounds":
                return TryPositive(value, v => Rounds = v);
            case "--redis-server":
                return Set(() => RedisServer = value);
            case "--garnet-server":
                return Set(() => GarnetServer = value);
            case "--peers":
                return TryPeers(value);
            case "--gate-pid":
                return TryPositive(value, v => GatePid = v);
            case "--out":
                return Set(() => Out = value);
            case "--mo-messages":
                return TryPositive(value, v => MoMessages = v);
            case "--stream-batches":
                return TryPositive(value, v => StreamBatches = v);
            default:
                return false;
        }
    }

    private static bool Set(Action assign)
    {
        assign();
        return true;
    }

    /// <summary>A comma-separated list of peer names, each once, at least one.</summary>
    private bool TryPeers(string value)
    {
        var peers = new List<Race.RacePeerKind>();
        foreach (var name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Race.RacePeerKind.Find(name) is not { } kind || peers.Contains(kind))
            {
                return false;
            }

            peers.Add(kind);
        }

        Peers = peers;
        return peers.Count > 0;
    }

    private static bool TryPositive(string value, Action<int> assign)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v <= 0)
        {
            return false;
        }

        assign(v);
        return true;
    }

    private static bool TryDuration(string value, Action<TimeSpan> assign)
    {
        if (!TryParseDuration(value, out var v))
        {
            return false;
        }

        assign(v);
        return true;
    }

    private static bool TryUri(string value, Action<Uri> assign)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var v) || (v.Scheme != Uri.UriSchemeHttp && v.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        assign(v);
        return true;
    }
}
