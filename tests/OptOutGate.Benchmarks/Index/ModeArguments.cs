using System.Globalization;

namespace OptOutGate.Benchmarks.Index;

/// <summary>"--name value" arguments of the console modes.</summary>
internal static class ModeArguments
{
    public static long Long(string[] args, string name, long fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? long.Parse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;
    }

    public static string Text(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static bool Flag(string[] args, string name) => Array.IndexOf(args, name) >= 0;
}
