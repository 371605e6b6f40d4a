using Microsoft.Extensions.Logging.Abstractions;

namespace OptOutGate.Engine.Tests.Infrastructure;

/// <summary>A data folder in the temp directory for one test, deleted afterwards, and engines opened on it.</summary>
internal sealed class EngineTestDirectory : IDisposable
{
    public EngineTestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "optoutgate-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public ManualTimeProvider Time { get; } = new();

    /// <summary>Small index and log sizes; no timer; no checkpoint at dispose unless asked (a dispose then looks like a crash).</summary>
    public GateEngineOptions Options(bool checkpointOnDispose = false, string? path = null) => new()
    {
        DataDirectory = path ?? Path,
        CheckpointInterval = Timeout.InfiniteTimeSpan,
        CheckpointOnDispose = checkpointOnDispose,
        ExpectedEntries = 1024,
        IndexPageSizeBits = 16,
        IndexMemorySizeBits = 22,
        IndexSegmentSizeBits = 22,
    };

    public Task<GateEngine> OpenAsync(bool checkpointOnDispose = false, string? path = null) =>
        GateEngine.OpenAsync(Options(checkpointOnDispose, path), NullLoggerFactory.Instance, Time, CancellationToken.None);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow CI disk; the temp folder is cleaned eventually.
        }
    }
}
