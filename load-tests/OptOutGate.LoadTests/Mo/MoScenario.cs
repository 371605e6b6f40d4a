using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Webhooks;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Mo;

/// <summary>
/// `mo`: Mo.StreamMo from -c streams with --in-flight messages outstanding each (the durable group commit needs many in
/// flight to batch fsyncs). From-numbers come from the MO range of the recipient space, so opt-outs made here never
/// touch the check dataset; carrier message ids are unique per run, so nothing is a DUPLICATE. The tallies count the
/// actions the gate answered.
/// </summary>
internal static class MoScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var gate = GateClients.Primary(options);
        await using var mo = await StartAsync(gate, options, options.Concurrency, cancellationToken);
        if (mo is null)
        {
            return 1;
        }

        // With a reply callback every MO is recorded (HELP and NONE too) and delivered: what the reply callback costs.
        await using var callback = options.ReplyCallback ? await ReplyCallback.StartAsync(gate, [WebhookEventType.MoReply], options.WebhookBatch, cancellationToken, options.WebhookPaused) : null;
        var settings = RunSettings.From("mo", options) with { Concurrency = options.Concurrency * options.InFlight };
        Console.Error.WriteLine($"mo: {options.Address} {options.Concurrency} streams × {options.InFlight} in flight, inbound address {MoSender(options)}{(callback is null ? "" : ", reply callback to " + callback.Receiver.Url)}");
        var run = await RunLoop.RunAsync(settings, mo.Call, cancellationToken);
        var report = run.ToReport(options.Name, countsRecipients: false);
        if (callback is not null)
        {
            var status = await callback.StatusAsync(cancellationToken);
            report.Notes.Add(("Reply callback", $"{callback.Receiver.Events} events received in {callback.Receiver.Posts} POSTs by the end of the run, {callback.Receiver.BadSignatures} bad signatures; subscription {status?.State}, delivered up to {status?.DeliveredSequence} of {status?.CommittedSequence}"));
        }

        return Output.Print([report], options, GateClients.StreamMoName, run.EndReason);
    }

    public static string MoSender(LoadTestOptions options) => options.MoSender ?? options.Sender;

    /// <summary>Configures the inbound address and opens the streams; null (after saying why) when the gate cannot take MO yet.</summary>
    public static async Task<MoStreams?> StartAsync(GateClients gate, LoadTestOptions options, int streams, CancellationToken cancellationToken, string? fixedText = null)
    {
        try
        {
            var address = new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = MoSender(options), Description = "load test" } };
            await gate.For(0).Admin.PutInboundAddressAsync(address, gate.Call(cancellationToken));
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"mo: Admin.PutInboundAddress failed: {GhzFormat.ErrorText(ex.Status)}");
            return null;
        }

        var mo = new MoStreams(gate, streams, options.Seed, options.Timeout, MoSender(options), cancellationToken) { FixedText = fixedText };
        try
        {
            // One message first: a gate without MO answers every stream UNIMPLEMENTED, which is worth one clear line,
            // not a run of thousands of failed streams.
            await mo.Call(worker: 0, sequence: -1, cancellationToken);
            return mo;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"mo: the first StreamMo message failed, so no MO run: {GhzFormat.ErrorText(ex.Status)}");
            await mo.DisposeAsync();
            return null;
        }
    }

    /// <summary>The StreamMo streams and the call the run loop makes on them.</summary>
    internal sealed class MoStreams : IAsyncDisposable
    {
        private readonly StreamMux<StreamMoRequest, StreamMoResponse, string>[] _streams;
        private readonly RecipientSpace _space;
        private readonly string _sender;
        private readonly string _runId = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        private readonly ThreadLocal<Random> _random;

        public MoStreams(GateClients gate, int streams, long seed, TimeSpan timeout, string sender, CancellationToken cancellationToken)
        {
            _space = new RecipientSpace(seed);
            _sender = sender;
            _random = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId ^ (int)seed));
            _streams = new StreamMux<StreamMoRequest, StreamMoResponse, string>[streams];
            for (var i = 0; i < streams; i++)
            {
                var connection = gate.For(i);
                _streams[i] = new(() => connection.Mo.StreamMo(gate.Stream(cancellationToken)), static r => r.Result?.CarrierMessageId ?? string.Empty, timeout);
            }
        }

        /// <summary>Every message's text instead of the realistic mix (the webhook scenario sends STOPs).</summary>
        public string? FixedText { get; init; }

        /// <summary>Called with each acknowledged message's carrier id and the Stopwatch timestamp of its result.</summary>
        public Action<string, long>? Acknowledged { get; set; }

        public async Task<CallResult> Call(int worker, long sequence, CancellationToken cancellationToken)
        {
            var random = _random.Value!;
            var text = FixedText ?? MoTexts.Pick(random).Text;
            var id = string.Create(CultureInfo.InvariantCulture, $"lt-{_runId}-{worker}-{sequence}");
            var request = new StreamMoRequest
            {
                Message = new MoMessage
                {
                    InboundAddress = _sender,
                    FromNumber = _space.MoSender(random),
                    Text = text,
                    CarrierMessageId = id,
                    CarrierTime = Timestamp.FromDateTime(DateTime.UtcNow),
                },
            };
            var response = await _streams[worker % _streams.Length].SendAsync(id, request, cancellationToken);
            if (response.Result.Error is { } error)
            {
                throw new RpcException(new Status((StatusCode)error.Code, error.Message));
            }

            Acknowledged?.Invoke(id, System.Diagnostics.Stopwatch.GetTimestamp());

            return new CallResult(Tag: response.Result.Action.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var stream in _streams)
            {
                await stream.DisposeAsync();
            }

            _random.Dispose();
        }
    }
}
