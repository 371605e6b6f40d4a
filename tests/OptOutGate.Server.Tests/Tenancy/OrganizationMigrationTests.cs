using System.Security.Cryptography;
using System.Text;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// Data already written keeps its meaning when tenants are grouped into an organization, against the real server process
/// on one data folder: a tenant with opt-outs of its own put on a shared list under another id would have them stop
/// blocking, so the gate refuses to start (exit code 1, naming the setting); naming the organization after that tenant
/// makes its entries the shared list's, and the organization's other account is blocked by them too.
/// </summary>
[Collection(DamagedMetadataProcessesCollection.Name)]
public sealed class OrganizationMigrationTests
{
    private const string R = "+14155550601";
    private readonly string _acmeOps = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly string _acmeEuCheck = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task ATenantWithEntriesMovedOntoAnotherSharedList_IsRefused_NamingTheOrganizationAfterItKeepsItsEntries()
    {
        string data;
        await using (var alone = await GateProcess.StartAsync(Keys()))
        {
            data = alone.DataDirectory;
            using var channel = GrpcChannel.ForAddress(alone.GrpcAddress);
            await new GateApi(channel, _acmeOps).CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = GateApi.Sender, Recipients = { R } });
            alone.Terminate();
            await alone.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        var moved = Keys();
        moved["Tenancy:Organizations:group:Accounts:acme:List"] = "Shared";
        moved["Tenancy:Organizations:group:Accounts:acme-eu:List"] = "Shared";
        await using (var refused = await GateProcess.StartAsync(moved, data, waitUntilServing: false))
        {
            await refused.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(ExitCodes.Configuration, refused.ExitCode);
            Assert.Contains("Tenancy:Organizations:group:Accounts:acme puts tenant 'acme' on organization 'group''s shared list", refused.Output, StringComparison.Ordinal);
        }

        var named = Keys();
        named["Tenancy:Organizations:acme:Accounts:acme:List"] = "Shared";
        named["Tenancy:Organizations:acme:Accounts:acme-eu:List"] = "Shared";
        await using var grouped = await GateProcess.StartAsync(named, data);
        using var groupedChannel = GrpcChannel.ForAddress(grouped.GrpcAddress);
        var check = await new GateApi(groupedChannel, _acmeEuCheck).CheckBatchAsync(new CheckBatchRequest { Sender = GateApi.Sender, SmsType = SmsType.Marketing, Recipients = { R } });
        Assert.Equal([Verdict.BlockedOptedOut], check.Verdicts);
    }

    private Dictionary<string, string> Keys() => new()
    {
        ["Tenancy:Tenants:acme:Keys:ops:Hash"] = Hash(_acmeOps),
        ["Tenancy:Tenants:acme:Keys:ops:Roles:0"] = "admin",
        ["Tenancy:Tenants:acme-eu:Keys:dispatcher:Hash"] = Hash(_acmeEuCheck),
        ["Tenancy:Tenants:acme-eu:Keys:dispatcher:Roles:0"] = "check",
    };

    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
