using System.Globalization;
using System.Text.RegularExpressions;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>The ports in the gate's "Listening: gRPC on …" start-up line (HostingLog.Listening); -1 for a listener that is off.</summary>
internal sealed partial record ListeningPorts(int Grpc, int Http, int Metrics)
{
    public static ListeningPorts? TryParse(string line)
    {
        var match = LinePattern().Match(line);
        return match.Success ? new ListeningPorts(Port(match.Groups["grpc"].Value), Port(match.Groups["http"].Value), Port(match.Groups["metrics"].Value)) : null;
    }

    private static int Port(string address) =>
        address == "off" ? -1 : int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Listening: gRPC on (?<grpc>\S+), JSON/REST API and console on (?<http>\S+), metrics on (?<metrics>\S+)")]
    private static partial Regex LinePattern();
}
