using OptOutGate.LoadTests.Webhooks;

namespace OptOutGate.LoadTests.Tests.Webhooks;

public class WebhookScenarioTests
{
    [Theory]
    [InlineData("timeout")]
    [InlineData("normal")]
    public void A_run_that_ends_by_its_duration_or_count_with_every_event_received_succeeds(string endReason) =>
        Assert.True(WebhookScenario.Succeeded(missing: 0, badSignatures: 0, endReason));

    [Theory]
    [InlineData(1, 0, "timeout")]
    [InlineData(0, 1, "timeout")]
    [InlineData(0, 0, "cancel")]
    public void A_missing_event_a_bad_signature_or_a_cancelled_run_fails(int missing, long badSignatures, string endReason) =>
        Assert.False(WebhookScenario.Succeeded(missing, badSignatures, endReason));
}
