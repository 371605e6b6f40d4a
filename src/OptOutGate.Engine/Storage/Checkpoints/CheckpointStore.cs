using System.Globalization;
using System.Text.Json;

namespace OptOutGate.Engine.Storage.Checkpoints;

/// <summary>
/// The checkpoint folders <c>&lt;data&gt;/checkpoints/&lt;N&gt;/</c>. A folder counts only once its
/// <c>manifest.json</c> exists, and the manifest is written last, atomically (temporary file, fsync, rename, fsync of
/// the folder), after every state file is on disk. A crash at any point therefore leaves either the new checkpoint
/// complete or the previous one in effect; a folder without a manifest is debris, deleted on the next checkpoint.
/// </summary>
internal sealed class CheckpointStore
{
    public const string ScopesFile = "scopes.bin";
    public const string ConfigFile = "config.bin";
    public const string HeadsFile = "heads.bin";
    private const string ManifestFile = "manifest.json";

    // 2: with the checksums of every file and of the index log range. Format 1 manifests (no checksums) are not
    // loaded: nothing unverified is served; the state is rebuilt from the change log once, after an upgrade.
    private const int Format = 2;

    public CheckpointStore(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    public string Root { get; }

    /// <summary>Complete checkpoints, newest first. Folders whose manifest is missing or unreadable are skipped.</summary>
    public IReadOnlyList<CheckpointManifest> ListComplete()
    {
        var list = new List<CheckpointManifest>();
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (ulong.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && TryReadManifest(folder, out var manifest) && manifest.Sequence == sequence)
            {
                list.Add(manifest);
            }
        }

        list.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));
        return list;
    }

    /// <summary>An empty folder for the checkpoint of <paramref name="sequence"/> (debris of an interrupted attempt is removed).</summary>
    public string Prepare(ulong sequence)
    {
        var folder = Path.Combine(Root, sequence.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Makes the checkpoint in <paramref name="folder"/> count. Returns once the manifest is durable.</summary>
    public CheckpointManifest Commit(string folder, ulong sequence, Guid indexToken, DateTimeOffset createdAt, IReadOnlyList<FileChecksum> files, IndexLogChecksum indexLog)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(indexLog);
        var temporary = Path.Combine(folder, ManifestFile + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("format", Format);
                writer.WriteNumber("sequence", sequence);
                writer.WriteString("indexToken", indexToken);
                writer.WriteString("createdAt", createdAt);
                writer.WriteStartArray("files");
                writer.WriteStringValue(ScopesFile);
                writer.WriteStringValue(ConfigFile);
                writer.WriteStringValue(HeadsFile);
                writer.WriteEndArray();
                writer.WriteStartArray("checksums");
                foreach (var file in files)
                {
                    writer.WriteStartObject();
                    writer.WriteString("path", file.Path);
                    writer.WriteNumber("length", file.Length);
                    writer.WriteNumber("crc32c", file.Crc32C);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartObject("indexLog");
                writer.WriteNumber("begin", indexLog.Begin);
                writer.WriteNumber("end", indexLog.End);
                writer.WriteNumber("crc32c", indexLog.Crc32C);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(folder, ManifestFile), overwrite: true);
        FileSystemSync.SyncDirectory(folder);
        FileSystemSync.SyncDirectory(Root);
        return new CheckpointManifest(sequence, indexToken, createdAt, folder, files, indexLog);
    }

    /// <summary>Deletes one checkpoint: its manifest first (durably), so a crash midway leaves debris, never a checkpoint with missing files.</summary>
    public void Delete(CheckpointManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        File.Delete(Path.Combine(manifest.Directory, ManifestFile));
        FileSystemSync.SyncDirectory(manifest.Directory);
        Directory.Delete(manifest.Directory, recursive: true);
        FileSystemSync.SyncDirectory(Root);
    }

    /// <summary>Deletes every folder but the <paramref name="keep"/> newest complete checkpoints (and debris).</summary>
    public void Prune(int keep)
    {
        var complete = ListComplete();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < complete.Count && i < keep; i++)
        {
            kept.Add(Path.GetFullPath(complete[i].Directory));
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (!kept.Contains(Path.GetFullPath(folder)))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static bool TryReadManifest(string folder, out CheckpointManifest manifest)
    {
        manifest = null!;
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != Format)
            {
                return false;
            }

            foreach (var file in root.GetProperty("files").EnumerateArray())
            {
                if (!File.Exists(Path.Combine(folder, file.GetString()!)))
                {
                    return false;
                }
            }

            var checksums = new List<FileChecksum>();
            foreach (var file in root.GetProperty("checksums").EnumerateArray())
            {
                checksums.Add(new FileChecksum(file.GetProperty("path").GetString()!, file.GetProperty("length").GetInt64(), file.GetProperty("crc32c").GetUInt32()));
            }

            var log = root.GetProperty("indexLog");
            manifest = new CheckpointManifest(
                root.GetProperty("sequence").GetUInt64(),
                root.GetProperty("indexToken").GetGuid(),
                root.GetProperty("createdAt").GetDateTimeOffset(),
                folder,
                checksums,
                new IndexLogChecksum(log.GetProperty("begin").GetInt64(), log.GetProperty("end").GetInt64(), log.GetProperty("crc32c").GetUInt32()));
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return false;
        }
    }
}
