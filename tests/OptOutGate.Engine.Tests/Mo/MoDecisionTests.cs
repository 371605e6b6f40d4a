using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Mo.Keywords;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Tests.Mo;

/// <summary>
/// MO ordering where the ledger knows nothing of the scope's events (they are older than its window, or another
/// writer's not folded yet): the record of the scope's entry decides, so an older START can never lift a later STOP.
/// </summary>
public sealed class MoDecisionTests
{
    private const string R = "+14155550177";

    [Fact]
    public async Task WithoutTheLedgersOrdering_TheEntrysOwnRecordStillOutranksAnOlderOptIn()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await OpenWithAddressAsync(dir);
        using var meters = new TestMeterFactory();
        using var metrics = new MoMetrics(meters, dir.Time);
        var now = dir.Time.GetUtcNow().UtcDateTime;

        var first = Processor(engine, metrics, dir.Time);
        Assert.Equal(MoAction.OptedOut, (await first.RecordAsync(EngineWrites.Tenant, "k", Message("STOP", "a", now.AddMinutes(-1)), CancellationToken.None)).Result!.Action);

        // A ledger that lost the STOP (pruned): the START, one minute older, meets the entry's record.
        var forgetful = Processor(engine, metrics, dir.Time);
        var late = (await forgetful.RecordAsync(EngineWrites.Tenant, "k", Message("START", "b", now.AddMinutes(-2)), CancellationToken.None)).Result!;
        Assert.Equal(MoAction.Superseded, late.Action);
        Assert.True(engine.HasOptOut(R));

        var later = (await forgetful.RecordAsync(EngineWrites.Tenant, "k", Message("START", "c", now), CancellationToken.None)).Result!;
        Assert.Equal(MoAction.OptedIn, later.Action);
        Assert.True(later.StateChanged);
        Assert.False(engine.HasOptOut(R));
    }

    [Fact]
    public async Task FailuresAreValues_NamingTheirKind_AndNothingIsRecorded()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await OpenWithAddressAsync(dir);
        using var meters = new TestMeterFactory();
        using var metrics = new MoMetrics(meters, dir.Time);
        var processor = Processor(engine, metrics, dir.Time);
        var now = dir.Time.GetUtcNow().UtcDateTime;

        var invalid = await processor.RecordAsync(EngineWrites.Tenant, "k", Message("STOP", "", now), CancellationToken.None);
        Assert.Equal(new EngineError(EngineErrorKind.Invalid, "message.carrier_message_id: required."), invalid.Failure);
        Assert.Null(invalid.Result);

        var unknown = Message("STOP", "u", now);
        unknown.InboundAddress = "99999";
        Assert.Equal(EngineErrorKind.NotFound, (await processor.RecordAsync(EngineWrites.Tenant, "k", unknown, CancellationToken.None)).Failure?.Kind);

        // A replica's pipeline refuses every write: the message is not recorded, and the refusal's words reach the caller.
        var sequence = engine.Log.LastSequence;
        engine.Writes.RefuseWrites("read-only here; send writes to the primary");
        var refused = await processor.RecordAsync(EngineWrites.Tenant, "k", Message("STOP", "r", now), CancellationToken.None);
        Assert.Equal(new EngineError(EngineErrorKind.ReadOnly, "read-only here; send writes to the primary"), refused.Failure);
        Assert.Equal(sequence, engine.Log.LastSequence);
        Assert.False(engine.HasOptOut(R));
    }

    private static async Task<GateEngine> OpenWithAddressAsync(EngineTestDirectory dir)
    {
        var engine = await dir.OpenAsync();
        try
        {
            await engine.Writes.WriteAsync(new ConfigWriteRequest
            {
                TenantId = EngineWrites.Tenant,
                Change = new ConfigChange { InboundAddress = new InboundAddress { Sender = EngineWrites.Sender } },
            }, CancellationToken.None);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    private static MoProcessor Processor(GateEngine engine, MoMetrics metrics, TimeProvider time) =>
        new(engine, new MoLedger(TimeSpan.FromHours(24)), new KeywordSetCache(), metrics, time);

    private static MoMessage Message(string text, string id, DateTime carrierTime) => new()
    {
        InboundAddress = EngineWrites.Sender,
        FromNumber = R,
        Text = text,
        CarrierMessageId = id,
        CarrierTime = Timestamp.FromDateTime(carrierTime),
    };

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
