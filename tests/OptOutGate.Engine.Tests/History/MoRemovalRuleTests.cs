using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Tests.History;

/// <summary>The MO-made opt-out removal rule RemoveOptOuts relies on (admin_optouts.proto REMOVAL_NOT_ALLOWED), on the real pipeline.</summary>
public sealed class MoRemovalRuleTests
{
    [Fact]
    public async Task MoOptOut_RemovalWithoutOverride_IsNotAllowed_WithOverrideAndReason_IsLifted()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.RecordMoAsync("+14155550100", ChangeAction.OptOut, "STOP");

        var refused = await engine.RemoveOptOutsAsync("+14155550100");
        var overrideWithoutReason = await engine.RemoveOptOutsAsync("+14155550100", @override: true);
        var lifted = await engine.RemoveOptOutsAsync("+14155550100", @override: true, reason: "customer called, consent on file");

        Assert.Equal(WriteOutcome.RemovalNotAllowed, refused.Items[0].Outcome);
        Assert.Equal(1UL, refused.Items[0].Sequence);
        Assert.Equal(WriteOutcome.RemovalNotAllowed, overrideWithoutReason.Items[0].Outcome);
        Assert.Equal(WriteOutcome.Removed, lifted.Items[0].Outcome);
        Assert.False(engine.HasOptOut("+14155550100"));
        var record = await engine.Log.ReadAsync(lifted.Sequence, default);
        Assert.Equal("customer called, consent on file", record!.Record.Reason);
    }
}
