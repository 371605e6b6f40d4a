using System.Text;
using OptOutGate.LoadTests.Race;

namespace OptOutGate.LoadTests.Tests.Race;

public class RespConnectionTests
{
    [Fact]
    public void Encode_writes_an_array_of_bulk_strings() =>
        Assert.Equal(
            "*4\r\n$10\r\nSMISMEMBER\r\n$1\r\nk\r\n$12\r\n+12025550100\r\n$2\r\nÅ\r\n",
            Encoding.UTF8.GetString(RespConnection.Encode("SMISMEMBER", "k", ["+12025550100", "Å"])));

    [Theory]
    [InlineData("*3\r\n:1\r\n:0\r\n:1\r\n", 2)] // SMISMEMBER: members present
    [InlineData(":10000\r\n", 10000)] // SADD
    [InlineData("+PONG\r\n", 0)]
    [InlineData("$3\r\nabc\r\n", 3)]
    [InlineData("*0\r\n", 0)]
    public void Whole_replies_parse(string reply, long expected)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + ":5\r\n");

        Assert.True(RespConnection.TryParseReply(bytes, out var consumed, out var value, out var error));

        Assert.Null(error);
        Assert.Equal(expected, value);
        Assert.Equal(reply.Length, consumed);
    }

    [Theory]
    [InlineData("*3\r\n:1\r\n:0\r\n")]
    [InlineData("*3\r\n:1\r")]
    [InlineData(":1")]
    [InlineData("$3\r\nab")]
    [InlineData("")]
    public void Partial_replies_wait_for_more(string partial) =>
        Assert.False(RespConnection.TryParseReply(Encoding.ASCII.GetBytes(partial), out _, out _, out _));

    [Fact]
    public void Error_replies_carry_their_text()
    {
        Assert.True(RespConnection.TryParseReply("-ERR unknown command 'SMISMEMBER'\r\n"u8, out _, out _, out var error));

        Assert.Equal("ERR unknown command 'SMISMEMBER'", error);
    }
}
