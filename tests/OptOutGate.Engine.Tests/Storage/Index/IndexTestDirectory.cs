namespace OptOutGate.Engine.Tests.Storage.Index;

/// <summary>A real folder under the temp directory, deleted with the test.</summary>
internal sealed class IndexTestDirectory : IDisposable
{
    public IndexTestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "optoutgate-index-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may still hold a file; the temp folder is cleaned by the OS.
        }
    }
}
