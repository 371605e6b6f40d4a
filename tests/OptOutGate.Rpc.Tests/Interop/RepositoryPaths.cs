namespace OptOutGate.Rpc.Tests.Interop;

/// <summary>Folders of the repository the tests run from, found from the test assembly's location.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder holding <c>OptOutGate.sln</c>.</summary>
    public static string Root => s_root.Value;

    public static string InteropDirectory => Path.Combine(Root, "tests", "interop");

    public static string ProtosDirectory => Path.Combine(Root, "protos");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OptOutGate.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder containing OptOutGate.sln above {AppContext.BaseDirectory}.");
    }
}
