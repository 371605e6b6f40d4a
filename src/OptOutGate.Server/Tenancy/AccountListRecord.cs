using System.Text.Json;
using OptOutGate.Engine;
using OptOutGate.Engine.Storage;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// The list each account used when the primary last started serving (<c>&lt;data&gt;/tenancy/account-lists.json</c>): the
/// durable memory that tells a later start which accounts changed lists. Written whole to a temporary file, fsync'ed and
/// renamed over the old one (the folder fsync'ed too), so a crash leaves the old record or the new one, never a torn one.
/// </summary>
internal static class AccountListRecord
{
    private const string FileName = "account-lists.json";

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), DataLayout.Tenancy, FileName);

    /// <summary>Account → list id; null when no start has recorded one yet (a new data folder, or data older than the record).</summary>
    public static Dictionary<string, string>? Load(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(path))
                ?? throw new InvalidDataException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not the account → list record the gate writes ({e.Message}); restore it or delete it (the moves it would have found are then not found).", e);
        }
    }

    public static void Save(string dataDirectory, IReadOnlyDictionary<string, string> lists)
    {
        var path = PathIn(dataDirectory);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, new SortedDictionary<string, string>(lists.ToDictionary(), StringComparer.Ordinal));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        FileSystemSync.SyncDirectory(folder);
    }
}
