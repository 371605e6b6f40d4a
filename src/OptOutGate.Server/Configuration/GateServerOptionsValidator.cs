using System.Net;
using Microsoft.Extensions.Options;

namespace OptOutGate.Server.Configuration;

/// <summary>Checks <see cref="GateServerOptions"/> at start-up so that a bad setting stops the server with a clear message instead of failing later.</summary>
internal sealed class GateServerOptionsValidator : IValidateOptions<GateServerOptions>
{
    public ValidateOptionsResult Validate(string? name, GateServerOptions options)
    {
        var failures = new List<string>();
        if (!string.Equals(options.ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"Gate:ListenAddress '{options.ListenAddress}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0, :: or localhost).");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"Gate:Port {options.Port} is outside 0-65535.");
        }

        if (options.MetricsPort is < -1 or > 65535)
        {
            failures.Add($"Gate:MetricsPort {options.MetricsPort} is outside -1 (off) to 65535.");
        }

        if (options.MetricsPort > 0 && options.MetricsPort == options.Port)
        {
            failures.Add($"Gate:MetricsPort and Gate:Port are both {options.Port}: metrics need a port of their own (HTTP/1.1).");
        }

        if (!string.IsNullOrEmpty(options.TlsCertificatePath) && !File.Exists(options.TlsCertificatePath))
        {
            failures.Add($"Gate:TlsCertificatePath '{options.TlsCertificatePath}' does not exist.");
        }

        if (!string.IsNullOrEmpty(options.TlsKeyPath) && !File.Exists(options.TlsKeyPath))
        {
            failures.Add($"Gate:TlsKeyPath '{options.TlsKeyPath}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Gate:DataDirectory is empty.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Gate:ShutdownTimeout {options.ShutdownTimeout} is outside 0 to 10 minutes.");
        }

        ConnectionLimits.AddProblems(options, ConnectionLimits.DescriptorLimit(), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
