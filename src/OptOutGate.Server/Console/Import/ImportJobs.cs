using System.Collections.Concurrent;
using System.Security.Cryptography;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Import;

/// <summary>The uploads waiting for their import or running it, by random id; a job is only ever shown to its own session.</summary>
internal sealed class ImportJobs
{
    /// <summary>Jobs kept at most: the oldest finished ones go first.</summary>
    private const int MaxJobs = 20;

    private readonly ConcurrentDictionary<string, ImportJob> _jobs = new(StringComparer.Ordinal);

    public ImportJob Add(string sessionId, ImportOptions options, List<ImportLine> lines)
    {
        while (_jobs.Count >= MaxJobs && _jobs.Values.FirstOrDefault(static j => j.Done || !j.Started) is { } old)
        {
            _jobs.TryRemove(old.Id, out _);
        }

        var job = new ImportJob(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), sessionId, options, lines);
        _jobs[job.Id] = job;
        return job;
    }

    public ImportJob? Find(string? id, string sessionId) =>
        id is not null && _jobs.TryGetValue(id, out var job) && string.Equals(job.SessionId, sessionId, StringComparison.Ordinal) ? job : null;
}
