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

        // Every call at once: a call that passes the key check may run until its deadline (StreamChanges follows the
        // log), and one after the other those waits add up.
        var methods = GateApi.V1Services.SelectMany(s => s.Methods).ToArray();
        var withoutKeys = Task.WhenAll(methods.Select(method => KeyedCalls.CallAsync(server.Channel, method, authorization: null)));
        var withKeys = Task.WhenAll(methods.Select(method => KeyedCalls.CallWithKeyAsync(server.Channel, method, ApiKeyHash.NewKey())));
        var statuses = await withoutKeys;
        var keyedStatuses = await withKeys;
        for (var i = 0; i < methods.Length; i++)
        {
            var method = methods[i];
            var status = statuses[i];
            Assert.True(TenancyInterceptorTests.PassedTheKeyCheck(status), $"{method.FullName}: {status}");

            var withKey = keyedStatuses[i];
            Assert.True(TenancyInterceptorTests.PassedTheKeyCheck(withKey), $"{method.FullName} with a key: {withKey}");
        }
    }
}
