using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class MethodRolesTests
{
    // Written out by hand from admin.proto, so that a new Admin method has to be classified here on purpose.
    private static readonly HashSet<string> s_readOnlyAdminMethods =
    [
        "GetInboundAddress", "ListInboundAddresses", "GetTenantPolicy", "ListBlockingRules", "CheckOptOuts", "ListEntries",
        "ExportEntries", "ListHistory", "ExportHistory", "CheckAtTime", "GetRemovalRequest", "ListRemovalRequests",
        "ListReviewQueue", "GetWebhookSubscription", "ListWebhookSubscriptions",
    ];

    [Fact]
    public void GateMethods_NeedCheck()
    {
        foreach (var method in Service(GateReflection.Descriptor, "Gate").Methods)
        {
            Assert.Equal(ApiRoles.Check, MethodRoles.RequiredFor(method.Service.FullName, method.Name));
        }
    }

    [Fact]
    public void MoMethods_NeedMo()
    {
        foreach (var method in Service(MoReflection.Descriptor, "Mo").Methods)
        {
            Assert.Equal(ApiRoles.Mo, MethodRoles.RequiredFor(method.Service.FullName, method.Name));
        }
    }

    [Fact]
    public void ChangesMethods_NeedReplicaOrAdmin()
    {
        foreach (var method in Service(ChangesReflection.Descriptor, "Changes").Methods)
        {
            Assert.Equal(ApiRoles.Replica | ApiRoles.Admin, MethodRoles.RequiredFor(method.Service.FullName, method.Name));
        }
    }

    [Fact]
    public void AdminMethods_NeedAdmin_AndTheReadOnlyOnesAlsoAllowRead()
    {
        var admin = Service(AdminReflection.Descriptor, "Admin");
        foreach (var method in admin.Methods)
        {
            var expected = s_readOnlyAdminMethods.Contains(method.Name) ? ApiRoles.Admin | ApiRoles.Read : ApiRoles.Admin;
            Assert.True(expected == MethodRoles.RequiredFor(method.Service.FullName, method.Name), method.Name);
        }

        // Every name in the hand-written list is a real method: a rename cannot silently drop a read permission.
        Assert.All(s_readOnlyAdminMethods, name => Assert.NotNull(admin.FindMethodByName(name)));
    }

    [Theory]
    [InlineData("grpc.health.v1.Health")]
    [InlineData("grpc.reflection.v1.ServerReflection")]
    [InlineData("grpc.reflection.v1alpha.ServerReflection")]
    public void HealthAndReflection_AreOpen(string service)
    {
        Assert.True(MethodRoles.IsOpen(service));
    }

    [Theory]
    [InlineData("optoutgate.v1.Gate")]
    [InlineData("optoutgate.v1.Admin")]
    [InlineData("grpc.healthy.Fake")]
    public void V1Services_AreNotOpen(string service)
    {
        Assert.False(MethodRoles.IsOpen(service));
    }

    [Theory]
    [InlineData("optoutgate.v2.Gate", "CheckBatch")]
    [InlineData("optoutgate.v1.Unknown", "Anything")]
    [InlineData("optoutgate.v1.gate", "CheckBatch")]
    public void UnknownServices_NoRoleAllows(string service, string method)
    {
        Assert.Equal(ApiRoles.None, MethodRoles.RequiredFor(service, method));
    }

    private static ServiceDescriptor Service(FileDescriptor file, string name) => file.FindTypeByName<ServiceDescriptor>(name);
}
