using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// The API-key check of the real gate (in process, every v1 method bound) through a real client: which keys reach which
/// methods, and what a refused call says. A call the key may make gets past the check and reaches its handler, which
/// answers an empty request with its own status (OK or a validation error), never UNAUTHENTICATED or PERMISSION_DENIED.
/// </summary>
public sealed class TenancyInterceptorTests : IAsyncLifetime
{
    private readonly TestKeys _keys = new();
    private GateTestServer _server = null!;
    private GrpcChannel _channel = null!;

    public static IReadOnlyList<ServiceDescriptor> V1Services { get; } = GateApi.V1Services;

    public async Task InitializeAsync()
    {
        _server = await GateTestServer.StartAsync(_keys.Settings());
        _channel = _server.Channel;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The call passed the key check: its handler ran and answered (any status but the two of the check).</summary>
    internal static bool PassedTheKeyCheck(Status status) => status.StatusCode is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied);

    private static IEnumerable<MethodDescriptor> AllV1Methods() => V1Services.SelectMany(s => s.Methods);

    private static IEnumerable<MethodDescriptor> MethodsOf(string service) =>
        V1Services.Single(s => s.Name == service).Methods;

    [Fact]
    public async Task NoKey_EveryV1Method_IsUnauthenticated_AndNoHandlerRuns()
    {
        foreach (var method in AllV1Methods())
        {
            var status = await KeyedCalls.CallAsync(_channel, method, authorization: null);

            Assert.True(status.StatusCode == StatusCode.Unauthenticated, $"{method.FullName}: {status}");
            Assert.Contains("No API key", status.Detail, StringComparison.Ordinal);
        }

    }

    [Fact]
    public async Task UnknownKey_EveryV1Method_IsUnauthenticated_WithoutEchoingTheKey()
    {
        var stranger = ApiKeyHash.NewKey();
        foreach (var method in AllV1Methods())
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, stranger);

            Assert.True(status.StatusCode == StatusCode.Unauthenticated, $"{method.FullName}: {status}");
            Assert.Contains("Unknown API key", status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(stranger, status.Detail, StringComparison.Ordinal);
        }

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

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains(expected, status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_keys.AcmeOperator, status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LowerCaseBearerScheme_IsAccepted()
    {
        var status = await KeyedCalls.CallAsync(_channel, MethodsOf("Gate").First(), "bearer " + _keys.AcmeDispatcher);

        Assert.True(PassedTheKeyCheck(status), status.ToString());
    }

    [Fact]
    public async Task CheckKey_CallsEveryGateMethod()
    {
        foreach (var method in MethodsOf("Gate"))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher);

            Assert.True(PassedTheKeyCheck(status), $"{method.FullName}: {status}");
        }
    }

    [Fact]
    public async Task SameKeyIdInAnotherTenant_IsAKeyOfItsOwn()
    {
        var method = MethodsOf("Gate").First();

        Assert.True(PassedTheKeyCheck(await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.GlobexDispatcher)));
        Assert.True(PassedTheKeyCheck(await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher)));
    }

    [Fact]
    public async Task CheckKey_CallingAdminMoOrChanges_IsPermissionDenied_NamingTheRole()
    {
        foreach (var service in new[] { "Admin", "Mo", "Changes" })
        {
            foreach (var method in MethodsOf(service))
            {
                var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeDispatcher);

                Assert.True(status.StatusCode == StatusCode.PermissionDenied, $"{method.FullName}: {status}");
                Assert.Contains("'dispatcher' of tenant 'acme'", status.Detail, StringComparison.Ordinal);
                var needed = ApiRoleNames.Format(MethodRoles.RequiredFor(method.Service.FullName, method.Name), " or ");
                Assert.Contains(needed, status.Detail, StringComparison.Ordinal);
            }
        }

    }

    [Fact]
    public async Task PermissionDenied_ForASingleRole_SaysWhichRoleIsMissing()
    {
        var addOptOuts = MethodsOf("Admin").Single(m => m.Name == "AddOptOuts");

        var status = await KeyedCalls.CallWithKeyAsync(_channel, addOptOuts, _keys.AcmeAuditor);

        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Contains("lacks the role 'admin'", status.Detail, StringComparison.Ordinal);
        Assert.Contains("optoutgate.v1.Admin/AddOptOuts", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoKey_CallsMo_ButNotGate()
    {
        foreach (var method in MethodsOf("Mo"))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.AcmeCarrier);
            Assert.True(PassedTheKeyCheck(status), $"{method.FullName}: {status}");
        }

        var gate = await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Gate").First(), _keys.AcmeCarrier);
        Assert.Equal(StatusCode.PermissionDenied, gate.StatusCode);
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

            Assert.True(readOnly ? PassedTheKeyCheck(status) : status.StatusCode == StatusCode.PermissionDenied, $"{method.FullName}: {status}");
            allowed += readOnly ? 1 : 0;
        }

        Assert.Equal(15, allowed);
        Assert.Equal(StatusCode.PermissionDenied, (await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Changes").First(), _keys.AcmeAuditor)).StatusCode);
    }

    [Fact]
    public async Task AdminKey_CallsEveryAdminAndChangesMethod()
    {
        foreach (var method in MethodsOf("Admin").Concat(MethodsOf("Changes")))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.InitechOperator);
            Assert.True(PassedTheKeyCheck(status), $"{method.FullName}: {status}");
        }

        Assert.Equal(StatusCode.PermissionDenied, (await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf("Gate").First(), _keys.InitechOperator)).StatusCode);
    }

    [Fact]
    public async Task ReplicaKey_ReadsChanges_AndNothingElse()
    {
        foreach (var method in MethodsOf("Changes"))
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, method, _keys.GlobexReplica);
            Assert.True(PassedTheKeyCheck(status), $"{method.FullName}: {status}");
        }

        foreach (var service in new[] { "Gate", "Mo", "Admin" })
        {
            var status = await KeyedCalls.CallWithKeyAsync(_channel, MethodsOf(service).First(), _keys.GlobexReplica);
            Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        }
    }

    [Fact]
    public async Task Health_NeedsNoKey_AndIgnoresAnUnknownOne()
    {
        var plain = await _server.Health.CheckAsync(new HealthCheckRequest());
        var headers = new Metadata { { "authorization", "Bearer " + ApiKeyHash.NewKey() } };
        var withStrangeKey = await _server.Health.CheckAsync(new HealthCheckRequest(), headers);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, plain.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, withStrangeKey.Status);
    }
}
