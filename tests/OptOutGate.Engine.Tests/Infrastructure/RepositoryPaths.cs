namespace OptOutGate.Engine.Tests.Infrastructure;

/// <summary>The repository the tests run from, for tests that read the engine's sources.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding OptOutGate.sln, found upwards from the test's output folder.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OptOutGate.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("OptOutGate.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>src/OptOutGate.Engine.</summary>
    public static string EngineSource() => Path.Combine(Root(), "src", "OptOutGate.Engine");
}
