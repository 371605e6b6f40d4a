using OptOutGate.LoadTests.Race;

namespace OptOutGate.LoadTests.Tests.Race;

/// <summary>
/// Where the tests find the peer servers: redis-server on PATH (scripts/test.sh installs Debian's); garnet-server from
/// OPTOUTGATE_GARNET_SERVER, else the repository's <c>.tools/garnet/</c> (where scripts/test.sh and run-perf.sh install
/// the dotnet tool), else on PATH.
/// </summary>
internal static class PeerExecutables
{
    public const string GarnetVariable = "OPTOUTGATE_GARNET_SERVER";

    public static string For(RacePeerKind kind)
    {
        if (kind != RacePeerKind.Garnet)
        {
            return kind.Program;
        }

        if (Environment.GetEnvironmentVariable(GarnetVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, ".tools", "garnet", kind.Program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return kind.Program;
    }
}
