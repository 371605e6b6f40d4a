namespace OptOutGate.Server.Configuration;

/// <summary>The configuration has bad settings; <see cref="Problems"/> names each one and what it must be.</summary>
public sealed class ConfigurationProblemsException : Exception
{
    public ConfigurationProblemsException()
        : this([])
    {
    }

    public ConfigurationProblemsException(string message)
        : this([message])
    {
    }

    public ConfigurationProblemsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public ConfigurationProblemsException(IReadOnlyList<string> problems)
        : base($"The configuration has {problems.Count} bad setting(s): {string.Join(" ", problems)}")
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
