using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>API keys off (nothing configured, loopback): every call runs without a key, as tenant "default".</summary>
public sealed class TenancyLocalModeTests
{
    [Fact]
    public async Task NoTenancyConfigured_EveryV1MethodRuns_WithoutAKey_AndWithOneSentAnyway()
    {
        await using var server = await GateTestServer.StartAsync();

        foreach (var method in GateApi.V1Services.SelectMany(s => s.Methods))
        {
            var status = await KeyedCalls.CallAsync(server.Channel, method, authorization: null);
            Assert.True(TenancyInterceptorTests.PassedTheKeyCheck(status), $"{method.FullName}: {status}");

            var withKey = await KeyedCalls.CallWithKeyAsync(server.Channel, method, ApiKeyHash.NewKey());
            Assert.True(TenancyInterceptorTests.PassedTheKeyCheck(withKey), $"{method.FullName} with a key: {withKey}");
        }
    }
}
