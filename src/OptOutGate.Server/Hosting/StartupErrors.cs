using OptOutGate.Server.Readiness;

namespace OptOutGate.Server.Hosting;

/// <summary>
/// What the process prints when it cannot start: for an operator, not a developer, so no stack trace. Written to
/// standard error before logging exists (configuration is checked before the host is built).
/// </summary>
internal static class StartupErrors
{
    /// <summary>Prints every bad setting; returns <see cref="ExitCodes.Configuration"/>.</summary>
    public static int Configuration(IReadOnlyList<string> problems)
    {
        var error = Console.Error;
        error.WriteLine($"OptOutGate did not start: {problems.Count} bad setting(s). Fix each and start again:");
        foreach (var problem in problems)
        {
            error.WriteLine("  - " + problem);
        }

        error.Flush();
        return ExitCodes.Configuration;
    }

    /// <summary>Prints the failure and its causes in one line each; returns <see cref="ExitCodes.Fatal"/>.</summary>
    public static int Fatal(Exception exception)
    {
        var error = Console.Error;
        error.WriteLine($"OptOutGate could not start: {exception.Message}");
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            error.WriteLine($"  caused by {inner.GetType().Name}: {inner.Message}");
        }

        error.Flush();
        return ExitCodes.Fatal;
    }
}
