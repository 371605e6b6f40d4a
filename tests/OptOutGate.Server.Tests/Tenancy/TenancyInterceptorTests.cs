using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>The API-key check through the real server layer and a real client, with every v1 method bound.</summary>
public sealed class TenancyInterceptorTests : IAsyncLifetime
{
    private readonly TestKeys _keys = new();
    private TenancyTestServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await TenancyTestServer.StartAsync(_keys.NullableSettings());
        _channel = GrpcChannel.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    private static IEnumerable<MethodDescriptor> AllV1Methods() => TenancyTestServer.V1Services.SelectMany(s => s.Methods);

    private static IEnumerable<MethodDescriptor> MethodsOf(string service) =>
        TenancyTestServer.V1Services.Single(s => s.Name == service).Methods;

    [Fact]
    public async Task NoKey_EveryV1Method_IsUnauthenticated_AndNoHandlerRuns()
    {
        foreach (var method in AllV1Methods())
        {
            var status = await KeyedCalls.CallAsync(_channel, method, authorization: null);

            Assert.True(status.Code == StatusCode.Unauthenticated, $"{method.FullName}: {status}");
            Assert.Contains("No API key", status.Detail, StringComparison.Ordinal);
        }

        Assert.Empty(_server.Seen);
    }

    [Fact]
    public async Task UnknownKey_EveryV1Method_IsUnauthenticated_WithoutEchoingTheKey()
    {
        var stranger = ApiKeyHash.NewKey();
        foreach (var method in AllV1Methods())
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, stranger);

            Assert.True(status.Code == StatusCode.Unauthenticated, $"{method.FullName}: {status}");
            Assert.Contains("Unknown API key", status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(stranger, status.Detail, StringComparison.Ordinal);
        }

        Assert.Empty(_server.Seen);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==", "is not 'Bearer <key>'")]
    [InlineData("{key}", "is not 'Bearer <key>'")]
    [InlineData("Bearer tooshort", "malformed")]
    [InlineData("Bearer {key}x{key}x{key}x{key}x{key}x{key}", "malformed")]
    public async Task MalformedAuthorization_IsUnauthenticated_SayingWhy(string template, string expected)
    {
        var value = template.Replace("{key}", _keys.AcmeOperator, StringComparison.Ordinal);

        var status = await KeyedCalls.CallAsync(_channel, MethodsOf("Gate").First(), value);

        Assert.Equal(StatusCode.Unauthenticated, status.Code);
        Assert.Contains(expected, status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_keys.AcmeOperator, status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LowerCaseBearerScheme_IsAccepted()
    {
        var status = await KeyedCalls.CallAsync(_channel, MethodsOf("Gate").First(), "bearer " + _keys.AcmeDispatcher);

        Assert.Equal(StatusCode.OK, status.Code);
    }

    [Fact]
    public async Task CheckKey_CallsEveryGateMethod_AsItsOwnTenantAndKey()
    {
        foreach (var method in MethodsOf("Gate"))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher);

            Assert.True(status.Code == StatusCode.OK, $"{method.FullName}: {status}");
            var identity = _server.Seen[method.FullName];
            Assert.Equal("acme", identity.TenantId);
            Assert.Equal("dispatcher", identity.KeyId);
            Assert.Equal(ApiRoles.Check, identity.Roles);
            Assert.False(identity.IsLocal);
            Assert.Empty(identity.TenantGroup);
        }
    }

    [Fact]
    public async Task SameKeyIdInAnotherTenant_RunsAsThatTenant()
    {
        var method = MethodsOf("Gate").First();

        Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.GlobexDispatcher)).Code);
        Assert.Equal("globex", _server.Seen[method.FullName].TenantId);
        Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher)).Code);
        Assert.Equal("acme", _server.Seen[method.FullName].TenantId);
    }

    [Fact]
    public async Task CheckKey_CallingAdminMoOrChanges_IsPermissionDenied_NamingTheRole()
    {
        foreach (var service in new[] { "Admin", "Mo", "Changes" })
        {
            foreach (var method in MethodsOf(service))
            {
                var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher);

                Assert.True(status.Code == StatusCode.PermissionDenied, $"{method.FullName}: {status}");
                Assert.Contains("'dispatcher' of tenant 'acme'", status.Detail, StringComparison.Ordinal);
                var needed = ApiRoleNames.Format(MethodRoles.RequiredFor(method.Service.FullName, method.Name), " or ");
                Assert.Contains(needed, status.Detail, StringComparison.Ordinal);
            }
        }

        Assert.Empty(_server.Seen);
    }

    [Fact]
    public async Task PermissionDenied_ForASingleRole_SaysWhichRoleIsMissing()
    {
        var addOptOuts = MethodsOf("Admin").Single(m => m.Name == "AddOptOuts");

        var status = await KeyedCalls.CallWithKeyAsync(_channel, addOptOuts, _keys.AcmeAuditor);

        Assert.Equal(StatusCode.PermissionDenied, status.Code);
        Assert.Contains("lacks the role 'admin'", status.Detail, StringComparison.Ordinal);
        Assert.Contains("optoutgate.v1.Admin/AddOptOuts", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoKey_CallsMo_ButNotGate()
    {
        foreach (var method in MethodsOf("Mo"))
        {
            Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeCarrier)).Code);
            Assert.Equal("carrier", _server.Seen[method.FullName].KeyId);
        }

        var gate = await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Gate").First(), _keys.AcmeCarrier);
        Assert.Equal(StatusCode.PermissionDenied, gate.Code);
        Assert.Contains("'check'", gate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadKey_CallsReadOnlyAdminMethods_AndIsDeniedTheOthers()
    {
        var allowed = 0;
        foreach (var method in MethodsOf("Admin"))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeAuditor);
            var readOnly = MethodRoles.IsReadOnlyAdminMethod(method.Name);

            Assert.True(status.Code == (readOnly ? StatusCode.OK : StatusCode.PermissionDenied), $"{method.FullName}: {status}");
            allowed += readOnly ? 1 : 0;
        }

        Assert.Equal(13, allowed);
        Assert.Equal(StatusCode.PermissionDenied, (await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Changes").First(), _keys.AcmeAuditor)).Code);
    }

    [Fact]
    public async Task AdminKey_CallsEveryAdminMethod_AndReadsChangesOfItsOwnTenantOnly()
    {
        foreach (var method in MethodsOf("Admin"))
        {
            Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.InitechOperator)).Code);
        }

        foreach (var method in MethodsOf("Changes"))
        {
            Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.InitechOperator)).Code);
            var identity = _server.Seen[method.FullName];
            Assert.Equal(["initech"], identity.TenantGroup);
            Assert.True(identity.MayReadChangesOf("initech"));
            Assert.False(identity.MayReadChangesOf("acme"));
        }

        Assert.Equal(StatusCode.PermissionDenied, (await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Gate").First(), _keys.InitechOperator)).Code);
    }

    [Fact]
    public async Task ReplicaKey_ReadsChangesOfItsTenantGroup_AndNothingElse()
    {
        foreach (var method in MethodsOf("Changes"))
        {
            Assert.Equal(StatusCode.OK, (await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.GlobexReplica)).Code);
            var identity = _server.Seen[method.FullName];
            Assert.Equal("globex", identity.TenantId);
            Assert.Equal(["acme", "globex"], identity.TenantGroup);
            Assert.False(identity.MayReadChangesOf("initech"));
        }

        foreach (var service in new[] { "Gate", "Mo", "Admin" })
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf(service).First(), _keys.GlobexReplica);
            Assert.Equal(StatusCode.PermissionDenied, status.Code);
        }
    }

    [Fact]
    public async Task Health_NeedsNoKey_AndIgnoresAnUnknownOne()
    {
        var check = Method<HealthCheckRequest, HealthCheckResponse>.From(HealthReflection.Descriptor.Services[0].FindMethodByName("Check"));

        var plain = await _channel.UnaryAsync(check, new HealthCheckRequest());
        var headers = new Metadata { { "authorization", "Bearer " + ApiKeyHash.NewKey() } };
        var withStrangeKey = await _channel.UnaryAsync(check, new HealthCheckRequest(), new CallOptions(headers));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, plain.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, withStrangeKey.Status);
    }

    [Fact]
    public void CallIdentityOf_OutsideTheInterceptor_Throws_RatherThanDefaulting()
    {
        // Health runs without a key, so it has no identity; a handler asking anyway gets an error, never "default".
        var context = new DefaultHttpContextCall();

        Assert.False(CallIdentity.TryGet(context, out _));
        Assert.Throws<InvalidOperationException>(() => CallIdentity.Of(context));
    }
}
