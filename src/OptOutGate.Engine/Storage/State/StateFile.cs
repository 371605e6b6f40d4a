using System.Text;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The checkpoint files of the state (scope table, configuration, history heads): a magic number naming the content,
/// a format version, the body, and an end marker, so a truncated or foreign file fails to load instead of loading
/// half a state. Written with an fsync before <see cref="Write"/> returns; the checkpoint manifest written after it
/// is what makes the file count (Storage/Checkpoints/CheckpointStore).
/// </summary>
internal static class StateFile
{
    private const int Version = 1;
    private const uint EndMarker = 0xE0D0_C0DE;

    /// <summary>Writes the file and flushes it to disk (fsync) before returning.</summary>
    public static void Write(string path, uint magic, Action<BinaryWriter> body)
    {
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(Version);
            body(writer);
            writer.Write(EndMarker);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
    }

    /// <exception cref="InvalidDataException">The file is not a complete file of this kind and version.</exception>
    public static T Read<T>(string path, uint magic, Func<BinaryReader, T> body) => Read(path, [magic], (reader, _) => body(reader));

    /// <summary>
    /// Reads a file whose content has several formats, told apart by their magic numbers (a newer format adds a section);
    /// <paramref name="body"/> gets the one found.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a complete file of one of these kinds and this version.</exception>
    public static T Read<T>(string path, uint[] magics, Func<BinaryReader, uint, T> body)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var magic = reader.ReadUInt32();
            if (Array.IndexOf(magics, magic) < 0 || reader.ReadInt32() != Version)
            {
                throw new InvalidDataException($"{path} is not a state file of the expected kind and version.");
            }

            var result = body(reader, magic);
            if (reader.ReadUInt32() != EndMarker)
            {
                throw new InvalidDataException($"{path} has no end marker: it is truncated or corrupt.");
            }

            return result;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated.", e);
        }
    }
}
