using System.Globalization;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// A set-membership server the race measures the gate against, and how to start it for the race: on a loopback port,
/// in memory only (no snapshot, no append-only file: no fork or fsync disturbs the measurement), quiet. Both answer
/// one <c>SMISMEMBER key m1..m1000</c> per batch over RESP, so the same pre-encoded commands go to either.
/// </summary>
internal sealed class RacePeerKind
{
    /// <summary>redis-server 6.2 or later (SMISMEMBER). Debian's 7.0 here.</summary>
    public static readonly RacePeerKind Redis = new(
        "redis",
        "redis-server",
        "apt-get install -y redis-server (scripts/test.sh installs it), or pass --redis-server <path>",
        static (port, _) => ["--port", port, "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning"]);

    /// <summary>
    /// Microsoft Garnet (RESP on Tsavorite, FASTER's successor), the peer a team that outgrows Redis picks. Started
    /// with its defaults but for the port, the address and memory: no <c>--aof</c>, no <c>--storage-tier</c>, no
    /// <c>--checkpoint-freq</c> and no <c>--recover</c>, so it keeps everything in memory and writes nothing (its
    /// defaults). <c>--memory</c> (main-log memory, inline and heap) is sized to the dataset with room to spare: a set
    /// that outgrew it would be evicted, and with no storage tier that loses members (the race's count check would say
    /// so).
    /// </summary>
    public static readonly RacePeerKind Garnet = new(
        "garnet",
        "garnet-server",
        $"dotnet tool install --tool-path .tools/garnet garnet-server --version {GarnetVersion} (load-tests/run-perf.sh and scripts/test.sh install it there), then pass --garnet-server .tools/garnet/garnet-server",
        static (port, dataset) => ["--port", port, "--bind", "127.0.0.1", "--memory", GarnetMemory(dataset), "--logger-level", "Warning", "-q"]);

    /// <summary>The Garnet release the race is measured against (load-tests/run-perf.sh, scripts/test.sh).</summary>
    public const string GarnetVersion = "2.2.12";

    private readonly Func<string, long, string[]> _arguments;

    private RacePeerKind(string name, string program, string installHint, Func<string, long, string[]> arguments)
    {
        Name = name;
        Program = program;
        InstallHint = installHint;
        _arguments = arguments;
    }

    public static IReadOnlyList<RacePeerKind> All { get; } = [Redis, Garnet];

    /// <summary>The name in <c>--peers</c> and in the report: <c>redis</c>, <c>garnet</c>.</summary>
    public string Name { get; }

    /// <summary>The executable's default name, looked up on PATH.</summary>
    public string Program { get; }

    /// <summary>How to get the server when it cannot be started.</summary>
    public string InstallHint { get; }

    public static RacePeerKind? Find(string name) => All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The command line for a server on <paramref name="port"/> that will hold <paramref name="dataset"/> members.</summary>
    public IReadOnlyList<string> Arguments(int port, long dataset) => _arguments(port.ToString(CultureInfo.InvariantCulture), dataset);

    /// <summary>256 bytes per member (a .NET HashSet of 13-byte members takes about 70), at least 1 GiB; Garnet
    /// allocates log pages as the store grows, so the unused part costs nothing.</summary>
    private static string GarnetMemory(long dataset) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1024, ((dataset * 256) >> 20) + 1)}m");

    public override string ToString() => Name;
}
