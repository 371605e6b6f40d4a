using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Replication;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>
/// Random STOP / START / STOPALL sequences from one recipient at two inbound addresses, delivered in a random order, some
/// twice, some stamped by a carrier clock that runs ahead: after every sequence the verdict at each address and at a
/// sender the recipient never wrote to equals a plain model ("the latest event per scope decides; a STOP never loses to
/// an earlier START; a START at an address after a STOPALL lifts it there only"). Checked on the primary as each case
/// runs, then for every case again on a replica following it and on the primary after a restart.
/// </summary>
[Collection(MoPropertyProcessesCollection.Name)]
public sealed class MoOrderingPropertyTests(ITestOutputHelper output)
{
    private const string A = "+18005550100";
    private const string B = "+18005550111";
    private const string Elsewhere = "ACME";
    private static readonly string[] Senders = [A, B, Elsewhere];

    [Fact]
    public async Task EveryDeliveryOrder_EndsInTheLatestEventsState_OnThePrimary_AReplica_AndAfterARestart()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        using var channel = GrpcChannel.ForAddress(primary.GrpcAddress);
        var mo = new MoClient(channel);
        await mo.AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = A } });
        await mo.AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = B } });
        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis: null);

        // Every carrier time in the past lies before the gate receives anything of this test.
        var origin = DateTime.UtcNow.AddSeconds(-1);
        var cases = new List<(string Recipient, Event[] Events, Dictionary<string, Verdict> Expected)>();
        var next = 0;
        var property = Prop.ForAll(Arb.From(CaseGen()), (Delivery[] deliveries) =>
        {
            var recipient = "+1415" + (2_000_000 + Interlocked.Increment(ref next)).ToString(CultureInfo.InvariantCulture);
            var expected = Task.Run(() => RunAsync(mo, recipient, origin, deliveries)).GetAwaiter().GetResult();
            cases.Add((recipient, [.. deliveries.Select(d => d.Event)], expected));
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150).WithEndSize(8), property);
        output.WriteLine($"{cases.Count} sequences checked on the primary");

        // The history tells the same story: CheckAtTime replays each recipient's records in event order.
        var now = DateTime.UtcNow;
        foreach (var (recipient, events, expected) in cases)
        {
            foreach (var sender in Senders)
            {
                var atTime = await mo.AdminAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", new CheckAtTimeRequest
                {
                    Recipient = recipient, Sender = sender, SmsType = SmsType.Marketing, Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now),
                });
                Assert.True(atTime.Verdict == expected[sender], $"CheckAtTime: {recipient} at {sender} is {atTime.Verdict}, expected {expected[sender]} ({string.Join(", ", events.Select(e => e.ToString()))})");
            }
        }

        var head = await new ReplicationClient(primary).AppliedSequenceAsync();
        var onReplica = new ReplicationClient(replica);
        await onReplica.WaitForSequenceAsync(head, TimeSpan.FromSeconds(60));
        using (var replicaChannel = GrpcChannel.ForAddress(replica.GrpcAddress))
        {
            await AssertAllAsync(new MoClient(replicaChannel), cases, "replica");
        }

        primary.Terminate();
        await primary.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await using var restarted = await GateProcess.StartAsync(dataDirectory: primary.DataDirectory);
        using var restartedChannel = GrpcChannel.ForAddress(restarted.GrpcAddress);
        await AssertAllAsync(new MoClient(restartedChannel), cases, "restarted primary");
    }

    private static async Task<Dictionary<string, Verdict>> RunAsync(MoClient mo, string recipient, DateTime origin, Delivery[] deliveries)
    {
        // An event stamped ahead of the gate's clock takes its receive time: later than every past event, and ordered
        // among such events by when the gate first got it.
        var received = new Dictionary<int, int>();
        for (var i = 0; i < deliveries.Length; i++)
        {
            var e = deliveries[i].Event;
            var carrierTime = e.AheadSeconds > 0 ? DateTime.UtcNow.AddSeconds(e.AheadSeconds) : origin.AddSeconds(-e.AgeSeconds);
            var result = await mo.RecordAsync(MoOrderingTests.At(recipient, e.Text, $"{recipient}-{e.Id}", carrierTime, e.Address));
            if (result.Action != MoAction.Duplicate)
            {
                received.TryAdd(e.Id, i);
            }
        }

        var expected = Model(deliveries.Select(d => d.Event).DistinctBy(e => e.Id), received);
        foreach (var sender in Senders)
        {
            var verdict = await mo.CheckAsync(recipient, SmsType.Marketing, sender);
            if (verdict != expected[sender])
            {
                throw new InvalidOperationException($"{recipient} at {sender}: {verdict}, the model says {expected[sender]}; deliveries: {string.Join(", ", deliveries.Select(d => d.ToString()))}");
            }
        }

        return expected;
    }

    /// <summary>The plain model: per scope the latest event decides (a STOP wins a tie); a STOPALL blocks every sender
    /// except one where the recipient sent a START later than the latest STOPALL.</summary>
    private static Dictionary<string, Verdict> Model(IEnumerable<Event> events, Dictionary<int, int> received)
    {
        (long Time, int Rank) Key(Event e) => (e.AheadSeconds > 0 ? long.MaxValue / 2 + received[e.Id] : -e.AgeSeconds, e.Text == "START" ? 0 : 1);
        var list = events.ToList();
        var stopAll = list.Where(e => e.Text == "STOPALL").Select(Key).DefaultIfEmpty((long.MinValue, -1)).Max();
        var verdicts = new Dictionary<string, Verdict>();
        foreach (var sender in Senders)
        {
            var here = list.Where(e => e.Text != "STOPALL" && e.Address == sender).ToList();
            var lastStart = here.Where(e => e.Text == "START").Select(Key).DefaultIfEmpty((long.MinValue, -1)).Max();
            var latest = here.OrderBy(Key).LastOrDefault();
            var tenantWide = stopAll.Item2 >= 0 && lastStart.CompareTo(stopAll) <= 0;
            verdicts[sender] = tenantWide ? Verdict.BlockedTenantOptOut
                : latest?.Text == "STOP" ? Verdict.BlockedOptedOut
                : Verdict.Allowed;
        }

        return verdicts;
    }

    private static async Task AssertAllAsync(MoClient mo, List<(string Recipient, Event[] Events, Dictionary<string, Verdict> Expected)> cases, string where)
    {
        foreach (var (recipient, events, expected) in cases)
        {
            foreach (var sender in Senders)
            {
                var verdict = await mo.CheckAsync(recipient, SmsType.Marketing, sender);
                Assert.True(verdict == expected[sender], $"{where}: {recipient} at {sender} is {verdict}, expected {expected[sender]} ({string.Join(", ", events.Select(e => e.ToString()))})");
            }
        }
    }

    /// <summary>1-8 events (each a time in the past or ahead of the clock), delivered shuffled, with some delivered twice.</summary>
    private static Gen<Delivery[]> CaseGen() =>
        from count in Gen.Choose(1, 8)
        from events in Gen.ArrayOf(EventGen(), count)
        from duplicates in Gen.SubListOf(events.Select((e, i) => i).ToArray())
        let numbered = events.Select((e, i) => e with { Id = i }).ToArray()
        from order in Gen.Shuffle(numbered.Concat(duplicates.Select(i => numbered[i])))
        select order.Select(e => new Delivery(e)).ToArray();

    private static Gen<Event> EventGen() =>
        from text in Gen.Elements("STOP", "START", "STOPALL")
        from address in Gen.Elements(A, B)
        from age in Gen.Choose(1, 10)
        from ahead in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(30, 600)))
        select new Event(0, text, address, age * 10, ahead);

    /// <summary>One keyword event: a time <see cref="AgeSeconds"/> before the test began, or (when <see cref="AheadSeconds"/> is set) ahead of the clock.</summary>
    public sealed record Event(int Id, string Text, string Address, int AgeSeconds, int AheadSeconds)
    {
        public override string ToString() =>
            $"#{Id} {Text}@{Address[^3..]} {(AheadSeconds > 0 ? "+" + AheadSeconds.ToString(CultureInfo.InvariantCulture) + "s ahead" : "-" + AgeSeconds.ToString(CultureInfo.InvariantCulture) + "s")}";
    }

    public sealed record Delivery(Event Event)
    {
        public override string ToString() => Event.ToString();
    }
}
