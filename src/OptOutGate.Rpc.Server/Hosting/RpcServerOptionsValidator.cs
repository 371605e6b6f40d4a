using Microsoft.Extensions.Options;

namespace OptOutGate.Rpc.Server.Hosting;

/// <summary>Rejects limits that would make every call fail, at start-up rather than at the first call.</summary>
internal sealed class RpcServerOptionsValidator : IValidateOptions<RpcServerOptions>
{
    public ValidateOptionsResult Validate(string? name, RpcServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxReceiveMessageSize is <= 0)
        {
            return ValidateOptionsResult.Fail($"{nameof(RpcServerOptions.MaxReceiveMessageSize)} must be positive or null (no limit); it is {options.MaxReceiveMessageSize}.");
        }

        if (options.MaxSendMessageSize is <= 0)
        {
            return ValidateOptionsResult.Fail($"{nameof(RpcServerOptions.MaxSendMessageSize)} must be positive or null (no limit); it is {options.MaxSendMessageSize}.");
        }

        return ValidateOptionsResult.Success;
    }
}
