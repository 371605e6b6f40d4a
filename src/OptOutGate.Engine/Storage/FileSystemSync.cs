using System.Runtime.InteropServices;

namespace OptOutGate.Engine.Storage;

/// <summary>fsync of a directory, so that a rename or a new file in it survives a power loss (POSIX only).</summary>
internal static partial class FileSystemSync
{
    // O_RDONLY opens a directory too; O_DIRECTORY would only add a check, and its value differs by architecture.
    private const int ReadOnly = 0;

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Windows has no directory fsync (NTFS journals metadata); macOS would need F_FULLFSYNC. Best effort.
            return;
        }

        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
