using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Workflow;

namespace OptOutGate.Engine.Tests.Mo;

public sealed class MoHelpersTests
{
    [Theory]
    [InlineData("2026-01-05T10:00:00", 10, "2026-01-19T10:00:00")] // Monday + 10 business days = Monday two weeks on
    [InlineData("2026-01-09T16:30:00", 1, "2026-01-12T16:30:00")] // Friday + 1 = Monday
    [InlineData("2026-01-09T16:30:00", 10, "2026-01-23T16:30:00")] // Friday + 10 = Friday two weeks on
    [InlineData("2026-01-10T09:00:00", 1, "2026-01-13T00:00:00")] // Saturday: counted from Monday 00:00
    [InlineData("2026-01-11T23:00:00", 10, "2026-01-26T00:00:00")] // Sunday
    [InlineData("2026-01-07T08:00:00", 3, "2026-01-12T08:00:00")] // Wednesday + 3 crosses a weekend
    public void BusinessDays_SkipWeekends(string start, int days, string due)
    {
        var from = DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var expected = DateTime.Parse(due, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.Equal(expected, BusinessDays.Add(from, days));
    }

    [Fact]
    public void BusinessDays_DefaultIsTen()
    {
        Assert.Equal(10, BusinessDays.ReviewDays(0));
        Assert.Equal(3, BusinessDays.ReviewDays(3));
    }

    [Fact]
    public void ReplyTexts_HintThenKeywordLanguageThenDefault_AppTextsFirst_PrimarySubtagFallback()
    {
        var address = new InboundAddress
        {
            Sender = "+18005550100",
            DefaultLanguageCode = "en",
            ReplyTexts =
            {
                new ReplyText { LanguageCode = "en", OptOutText = "stopped", HelpText = "help" },
                new ReplyText { LanguageCode = "fr", OptOutText = "arrêté" },
                new ReplyText { LanguageCode = "fr", App = "shop", OptOutText = "boutique arrêtée" },
                new ReplyText { LanguageCode = "es", OptOutText = "" },
            },
        };
        Assert.Equal(("stopped", "en"), ReplyTexts.Select(address, "", MoAction.OptedOut, "", ""));
        Assert.Equal(("arrêté", "fr"), ReplyTexts.Select(address, "", MoAction.OptedOut, "", "fr"));
        Assert.Equal(("arrêté", "fr"), ReplyTexts.Select(address, "", MoAction.OptedOut, "fr-CA", "en"));
        Assert.Equal(("boutique arrêtée", "fr"), ReplyTexts.Select(address, "shop", MoAction.OptedOut, "fr", ""));
        Assert.Equal(("stopped", "en"), ReplyTexts.Select(address, "", MoAction.OptedOut, "de", ""));
        Assert.Equal(("", ""), ReplyTexts.Select(address, "", MoAction.OptedOut, "es", ""));
        Assert.Equal(("help", "en"), ReplyTexts.Select(address, "", MoAction.Help, "", ""));
        Assert.Equal(("", ""), ReplyTexts.Select(address, "", MoAction.OptedIn, "", ""));
        Assert.Equal(("", ""), ReplyTexts.Select(new InboundAddress(), "", MoAction.OptedOut, "en", ""));
    }

    [Fact]
    public void Validation_NamesTheField_AndNeverTheNumber()
    {
        var good = new MoMessage { InboundAddress = "ACME", FromNumber = "+14155550100", CarrierMessageId = "c", CarrierTime = Timestamp.FromDateTime(DateTime.UtcNow), Text = "STOP" };
        Assert.Null(MoValidation.Validate(good));
        Assert.Contains("message:", Error(null), StringComparison.Ordinal);
        Assert.Contains("inbound_address", Error(With(good, m => m.InboundAddress = "")), StringComparison.Ordinal);
        Assert.Contains("inbound_address", Error(With(good, m => m.InboundAddress = new string('A', 33))), StringComparison.Ordinal);
        var bad = Error(With(good, m => m.FromNumber = "14155550100"));
        Assert.Contains("from_number", bad, StringComparison.Ordinal);
        Assert.DoesNotContain("14155550100", bad, StringComparison.Ordinal);
        Assert.Contains("carrier_message_id", Error(With(good, m => m.CarrierMessageId = "")), StringComparison.Ordinal);
        Assert.Contains("carrier_message_id", Error(With(good, m => m.CarrierMessageId = new string('x', 129))), StringComparison.Ordinal);
        Assert.Null(MoValidation.Validate(With(good, m => m.Text = new string('x', 4096))));
        Assert.Contains("text", Error(With(good, m => m.Text = new string('x', 4097))), StringComparison.Ordinal);
        Assert.Null(MoValidation.Validate(With(good, m => m.Text = string.Concat(Enumerable.Repeat("😀", 4096)))));
        Assert.Contains("carrier_time", Error(With(good, m => m.CarrierTime = null)), StringComparison.Ordinal);
        Assert.Contains("app", Error(With(good, m => m.App = new string('a', 65))), StringComparison.Ordinal);
        Assert.Contains("language_code", Error(With(good, m => m.LanguageCode = new string('a', 36))), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_DifferByTenantAndField()
    {
        Assert.Equal(MoKeys.Message("t", "c1"), MoKeys.Message("t", "c1"));
        Assert.NotEqual(MoKeys.Message("t", "c1"), MoKeys.Message("u", "c1"));
        Assert.NotEqual(MoKeys.Content("t", "a", "b", "STOP", 1), MoKeys.Content("t", "a", "b", "STOP", 2));
        Assert.NotEqual(MoKeys.Content("t", "ab", "", "STOP", 1), MoKeys.Content("t", "a", "b", "STOP", 1));
    }

    private static string Error(MoMessage? message) => MoValidation.Validate(message) ?? "";

    private static MoMessage With(MoMessage message, Action<MoMessage> change)
    {
        var copy = message.Clone();
        change(copy);
        return copy;
    }
}
