using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// The tenancy step of a console call: the signed-in key's identity, checked against the method's roles with the same
/// rule and message as a gRPC call (<see cref="MethodRoles"/>, <see cref="TenancyInterceptor.Refusal"/>), then attached
/// as the call's <see cref="CallIdentity"/> for the handler to act as.
/// </summary>
internal sealed class ConsoleAdmission(CallIdentity identity) : AdmissionInterceptor
{
    protected override void Admit(ServerCallContext context)
    {
        var method = CallMethod.Of(context);
        var required = MethodRoles.RequiredFor(method.Service, method.Name);
        if (!identity.HasAny(required))
        {
            throw TenancyInterceptor.Refusal(method, identity, required);
        }

        identity.AttachTo(context);
    }
}
