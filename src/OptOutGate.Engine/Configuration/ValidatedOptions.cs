namespace OptOutGate.Engine.Configuration;

/// <summary>The two ways an engine options class is checked: by configuration key for the host, by type for the engine's own guard.</summary>
internal static class ValidatedOptions
{
    /// <summary>Every problem, each setting named by its key under <paramref name="section"/> ("Engine" → "Engine:CheckpointInterval").</summary>
    public static List<string> Problems(this IValidatedOptions options, string section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(section);
        var problems = new List<string>();
        options.AddProblems(property => section + ":" + property, problems);
        return problems;
    }

    /// <summary>
    /// The engine's guard where options are used (opening the engine, the log, the index): throws an
    /// <see cref="ArgumentException"/> naming every problem, each setting named as <c>TypeName.Property</c>.
    /// </summary>
    public static void Validate(this IValidatedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var type = options.GetType().Name;
        var problems = new List<string>();
        options.AddProblems(property => type + "." + property, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }
    }
}
