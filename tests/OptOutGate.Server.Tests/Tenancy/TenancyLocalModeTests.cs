using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>API keys off (nothing configured, loopback): every call runs as tenant "default", key "local".</summary>
public sealed class TenancyLocalModeTests
{
    [Fact]
    public async Task NoTenancyConfigured_EveryV1MethodRunsAsDefaultTenant_WithoutAKey()
    {
        await using var server = await TenancyTestServer.StartAsync(new Dictionary<string, string?>());
        using var channel = GrpcChannel.ForAddress(server.Address);

        foreach (var method in TenancyTestServer.V1Services.SelectMany(s => s.Methods))
        {
            var status = await KeyedCalls.CallAsync(channel, method, authorization: null);

            Assert.True(status.Code == StatusCode.OK, $"{method.FullName}: {status}");
            var identity = server.Seen[method.FullName];
            Assert.Equal("default", identity.TenantId);
            Assert.Equal("local", identity.KeyId);
            Assert.Equal(ApiRoles.All, identity.Roles);
            Assert.True(identity.IsLocal);
            Assert.Equal(["default"], identity.TenantGroup);
        }
    }

    [Fact]
    public async Task NoTenancyConfigured_AKeySentAnyway_StillRunsAsDefaultTenant()
    {
        await using var server = await TenancyTestServer.StartAsync(new Dictionary<string, string?>());
        using var channel = GrpcChannel.ForAddress(server.Address);
        var method = TenancyTestServer.V1Services[0].Methods[0];

        var status = await KeyedCalls.CallWithKeyAsync(channel, method, ApiKeyHash.NewKey());

        Assert.Equal(StatusCode.OK, status.Code);
        Assert.Equal("default", server.Seen[method.FullName].TenantId);
    }
}
