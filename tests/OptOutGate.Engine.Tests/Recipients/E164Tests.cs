using System.Text;
using OptOutGate.Engine.Recipients;

namespace OptOutGate.Engine.Tests.Recipients;

public sealed class E164Tests
{
    [Theory]
    [InlineData("+14155550100", 14155550100UL)]
    [InlineData("+12345678", 12345678UL)]
    [InlineData("+999999999999999", 999999999999999UL)]
    public void ValidNumber_ParsesToItsDigits(string text, ulong expected)
    {
        Assert.True(E164.TryParse(text, out var number));
        Assert.Equal(expected, number);
        Assert.True(E164.TryParseUtf8(Encoding.UTF8.GetBytes(text), out var fromBytes));
        Assert.Equal(expected, fromBytes);
        Assert.Equal(text, E164.Format(number));
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("14155550100")]
    [InlineData("+04155550100")]
    [InlineData("+1234567")]
    [InlineData("+1234567890123456")]
    [InlineData("+1 415 555 0100")]
    [InlineData("+1415555010a")]
    [InlineData("++14155550100")]
    [InlineData("+١٤١٥٥٥٥٠١٠٠")]
    public void MalformedNumber_IsRejected(string text)
    {
        Assert.False(E164.TryParse(text, out _));
        Assert.False(E164.TryParseUtf8(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Mask_NeverShowsTheWholeNumber()
    {
        var masked = E164.Mask(14155550100UL);
        Assert.Equal("+14*******00", masked);
    }
}
