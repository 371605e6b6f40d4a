using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class TenantIdsTests
{
    [Theory]
    [InlineData("acme")]
    [InlineData("a")]
    [InlineData("tenant-2_eu")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Valid(string id) => Assert.True(TenantIds.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("acme corp")]
    [InlineData("acme.eu")]
    [InlineData("acmé")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    public void Invalid(string? id) => Assert.False(TenantIds.IsValid(id));
}
