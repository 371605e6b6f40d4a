using System.Text;
using FsCheck;
using FsCheck.Fluent;
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

    /// <summary>
    /// The UTF-8 parser (eight digits at a time) against the one-digit-at-a-time UTF-16 parser on the same text, byte for
    /// char: texts of 0-20 bytes drawn mostly from digits and '+', with the bytes just outside the digits ('/', ':'),
    /// letters, and the bytes from 0xFA up, whose SWAR test carries into the next byte.
    /// </summary>
    [Fact]
    public void Utf8Parser_AnswersAsTheCharParserDoes()
    {
        byte[] alphabet = [.. "0123456789"u8, .. "0123456789"u8, .. "0123456789"u8, (byte)'+', (byte)'/', (byte)':', (byte)' ', (byte)'a', 0x00, 0x7F, 0x80, 0xC0, 0xF9, 0xFA, 0xFF];
        var mixed = Gen.Choose(0, 20).SelectMany(length => Gen.ArrayOf(Gen.Elements(alphabet), length))
            .Select(static bytes => bytes.Length > 1 && bytes[0] != (byte)'+' && bytes[0] % 2 == 0 ? [(byte)'+', .. bytes[1..]] : bytes);
        var numbers = Gen.Choose(6, 17).SelectMany(static length => Gen.ArrayOf(Gen.Elements("0123456789"u8.ToArray()), length))
            .Select(static digits => (byte[])[(byte)'+', .. digits]);
        var texts = Gen.OneOf(mixed, numbers);
        Prop.ForAll(Arb.From(texts), static bytes =>
        {
            var asChars = new string(Array.ConvertAll(bytes, static b => (char)b));
            var expected = E164.TryParse(asChars, out var expectedNumber);
            var actual = E164.TryParseUtf8(bytes, out var number);
            return expected == actual && expectedNumber == number;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(20_000));
    }

    [Fact]
    public void Mask_NeverShowsTheWholeNumber()
    {
        var masked = E164.Mask(14155550100UL);
        Assert.Equal("+14*******00", masked);
    }
}
