using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class ApiRoleNamesTests
{
    [Theory]
    [InlineData("check", (int)ApiRoles.Check)]
    [InlineData("mo", (int)ApiRoles.Mo)]
    [InlineData("admin", (int)ApiRoles.Admin)]
    [InlineData("replica", (int)ApiRoles.Replica)]
    [InlineData("read", (int)ApiRoles.Read)]
    [InlineData(" Admin ", (int)ApiRoles.Admin)]
    public void TryParse_KnownNames_IgnoringCase(string name, int expected)
    {
        Assert.True(ApiRoleNames.TryParse(name, out var role));
        Assert.Equal((ApiRoles)expected, role);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("all")]
    [InlineData("write")]
    [InlineData("check,admin")]
    public void TryParse_UnknownNames_AreRefused(string? name)
    {
        Assert.False(ApiRoleNames.TryParse(name, out _));
    }

    [Fact]
    public void Format_ListsEveryRoleInOrder_OrNone()
    {
        Assert.Equal("check, mo, admin, replica, read", ApiRoleNames.Format(ApiRoles.All));
        Assert.Equal("admin or read", ApiRoleNames.Format(ApiRoles.Read | ApiRoles.Admin, " or "));
        Assert.Equal("none", ApiRoleNames.Format(ApiRoles.None));
    }
}
