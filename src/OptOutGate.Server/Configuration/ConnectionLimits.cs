using System.Globalization;
using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Configuration;

/// <summary>
/// How many connections the gate takes at once, from the process's open-file limit: every accepted socket is a file
/// descriptor, and a process that runs out of them fails in places that cannot fail gracefully (the runtime printed
/// "Out of memory." and aborted with 1,100 idle connections under a 1,024 limit).
/// </summary>
internal static class ConnectionLimits
{
    /// <summary>
    /// Descriptors always kept out of the connection limit. Measured on the gate at start: about 190 in use before the
    /// first call, 166 of them the runtime's mappings of the assemblies (two per assembly), more as assemblies load on
    /// first use; then the change log's and the index's segment and checkpoint files, Redis and a replica's connections
    /// to its primary. With 256 kept, a flood under a 1,024 limit still reached the limit and the runtime aborted
    /// ("Out of memory.").
    /// </summary>
    public const int ReservedDescriptors = 512;

    /// <summary>
    /// Descriptors kept out of the connection limit under <paramref name="descriptorLimit"/>: <see cref="ReservedDescriptors"/>
    /// and the <see cref="RejectionMargin"/>.
    /// </summary>
    public static long Reserved(long descriptorLimit) => ReservedDescriptors + RejectionMargin(descriptorLimit);

    /// <summary>
    /// Sockets accepted over the connection limit only to be closed at once (a quarter of the descriptor limit, 256
    /// where it is unknown): past them the gate stops accepting until one closes (<see cref="Hosting.AcceptLimit.ConnectionBudget"/>).
    /// A flood of 5,000 connections under a 1,024 limit had about 230 of them open at once on the idle 2-core build
    /// machine, and over 500 on the same machine under the full test suite's load, where the runtime then aborted.
    /// </summary>
    public static int RejectionMargin(long? descriptorLimit) => descriptorLimit is { } limit ? (int)Math.Min(limit / 4, int.MaxValue / 2) : 256;

    /// <summary>The default cap whatever the descriptor limit: idle connections cost memory, and a gate has a few dozen clients.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>The least descriptor limit the gate starts with (what it keeps, and 64 connections).</summary>
    public const int MinDescriptorLimit = 768;

    /// <summary>The connection limit for <paramref name="options"/> under <paramref name="descriptorLimit"/> (null: unknown).</summary>
    public static int MaxConnections(GateServerOptions options, long? descriptorLimit)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxConnections is { } configured)
        {
            return configured;
        }

        return descriptorLimit is { } limit
            ? (int)Math.Clamp(limit - Reserved(limit), 1, DefaultMaxConnections)
            : DefaultMaxConnections;
    }

    /// <summary>The soft limit on open files of this process (RLIMIT_NOFILE), or null where it cannot be read.</summary>
    /// <remarks>
    /// Read from /proc/self/limits rather than through getrlimit: no native interop for one number read at start-up.
    /// The .NET runtime raises the soft limit to the hard one when it starts, so this is the limit the gate runs under.
    /// </remarks>
    public static long? DescriptorLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }

    /// <summary>Adds a line per bad limit setting to <paramref name="problems"/>.</summary>
    public static void AddProblems(GateServerOptions options, long? descriptorLimit, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problems);
        const string section = GateServerOptions.SectionName;
        if (descriptorLimit is { } limit && limit < MinDescriptorLimit)
        {
            problems.Add($"The process may open only {limit} files (ulimit -n); the gate needs at least {MinDescriptorLimit} (its own files, and room for connections).");
        }

        if (options.MaxConnections is { } max)
        {
            if (max < 1)
            {
                problems.Add($"{section}:MaxConnections {max} must be at least 1 (or empty: sized from the open-file limit).");
            }
            else if (descriptorLimit is { } fileLimit && max > fileLimit - Reserved(fileLimit))
            {
                problems.Add($"{section}:MaxConnections {max} needs more file descriptors than the process may open: its limit is {fileLimit} (ulimit -n), of which {Reserved(fileLimit)} are kept for its files and for connections refused over the limit; raise the limit or lower the setting to at most {Math.Max(1, fileLimit - Reserved(fileLimit))}.");
            }
        }

        if (options.MaxStreamsPerConnection is < 1 or > 100_000)
        {
            problems.Add($"{section}:MaxStreamsPerConnection {options.MaxStreamsPerConnection} is outside 1-100000.");
        }

        if (options.KeepAliveTimeout < TimeSpan.FromSeconds(1) || options.KeepAliveTimeout > TimeSpan.FromHours(1))
        {
            problems.Add($"{section}:KeepAliveTimeout {options.KeepAliveTimeout} is outside 1 s to 1 hour.");
        }

        if (options.RequestHeadersTimeout < TimeSpan.FromSeconds(1) || options.RequestHeadersTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{section}:RequestHeadersTimeout {options.RequestHeadersTimeout} is outside 1 s to 10 minutes.");
        }
    }
}
