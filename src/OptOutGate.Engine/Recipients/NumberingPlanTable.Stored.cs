using System.IO.Compression;
using System.Security.Cryptography;
using PhoneNumbers;

namespace OptOutGate.Engine.Recipients;

/// <summary>
/// The table as bytes, so that a start-up need not build it: building from libphonenumber's metadata (thousands of
/// regular expressions turned into one automaton, then minimized) costs about 200 ms of CPU, a fifth of the gate's whole
/// start, where reading the stored table costs a few. The engine carries the table built from the libphonenumber it is
/// compiled against (<c>numbering-plan.bin</c>, an embedded resource); a test rebuilds it and fails when the stored one
/// differs, and says how to write it again.
/// </summary>
/// <remarks>
/// The stored table names the exact libphonenumber build it came from (the module version id of its assembly, which
/// changes with every build of the library, and so with the metadata it embeds). Another build at run time (a package
/// upgraded without writing the table again) is never trusted: the table is then built from the metadata at hand.
/// </remarks>
public sealed partial class NumberingPlanTable
{
    private const uint Magic = 0x504E474F; // "OGNP", little-endian
    private const int FormatVersion = 1;
    private const ushort NoRegion = ushort.MaxValue;

    // Far above today's 330 KB; a larger claimed length is damage, not a table.
    private const int MaxStoredBytes = 64 << 20;

    /// <summary>The libphonenumber build whose metadata this process uses.</summary>
    public static Guid MetadataBuild => typeof(PhoneNumberUtil).Assembly.ManifestModule.ModuleVersionId;

    /// <summary>
    /// Writes the table, marked as built from <paramref name="metadataBuild"/> and followed by the SHA-256 of its
    /// contents, Brotli-compressed.
    /// </summary>
    internal void WriteTo(Stream stream, Guid metadataBuild)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var names = _regions.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            writer.Write(names.Length);
            foreach (var name in names)
            {
                writer.Write(name);
            }

            writer.Write(_accept.Length);
            foreach (var next in _next)
            {
                writer.Write(next);
            }

            foreach (var accepts in _accept)
            {
                writer.Write(accepts);
            }

            foreach (var region in _regions)
            {
                writer.Write(region is null ? NoRegion : (ushort)Array.BinarySearch(names, region, StringComparer.Ordinal));
            }
        }

        using var compressed = new BrotliStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
        using var header = new BinaryWriter(compressed);
        header.Write(Magic);
        header.Write(FormatVersion);
        header.Write(metadataBuild.ToByteArray());
        header.Write((int)payload.Length);
        header.Write(payload.GetBuffer(), 0, (int)payload.Length);
        header.Write(SHA256.HashData(payload.GetBuffer().AsSpan(0, (int)payload.Length)));
    }

    /// <summary>
    /// The table <see cref="WriteTo"/> wrote, or null when it was built from another libphonenumber build than
    /// <paramref name="metadataBuild"/>, is of another format, or is damaged (its hash, or an offset outside the table):
    /// such a table is built again, never walked.
    /// </summary>
    public static NumberingPlanTable? TryRead(Stream stream, Guid metadataBuild)
    {
        try
        {
            using var compressed = new BrotliStream(stream, CompressionMode.Decompress, leaveOpen: true);
            using var header = new BinaryReader(compressed);
            if (header.ReadUInt32() != Magic || header.ReadInt32() != FormatVersion || header.ReadBytes(16) is not { Length: 16 } build
                || new Guid(build) != metadataBuild)
            {
                return null;
            }

            var length = header.ReadInt32();
            if (length is <= 0 or > MaxStoredBytes)
            {
                return null;
            }

            var payload = header.ReadBytes(length);
            if (payload.Length != length || !header.ReadBytes(SHA256.HashSizeInBytes).AsSpan().SequenceEqual(SHA256.HashData(payload)))
            {
                return null;
            }

            return Parse(new BinaryReader(new MemoryStream(payload)));
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static NumberingPlanTable? Parse(BinaryReader reader)
    {
        var names = new string[reader.ReadInt32()];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = string.Intern(reader.ReadString());
        }

        var states = reader.ReadInt32();
        if (states <= 1 || states > MaxStoredBytes / Digits / sizeof(int))
        {
            return null;
        }

        var next = new int[states * Digits];
        for (var i = 0; i < next.Length; i++)
        {
            next[i] = reader.ReadInt32();
            // Every entry is a row's offset inside the table: a walk can never leave it.
            if (next[i] < 0 || next[i] % Digits != 0 || next[i] >= next.Length)
            {
                return null;
            }
        }

        var accept = new bool[states];
        for (var i = 0; i < states; i++)
        {
            accept[i] = reader.ReadBoolean();
        }

        var regions = new string?[states];
        for (var i = 0; i < states; i++)
        {
            var index = reader.ReadUInt16();
            if (index != NoRegion && index >= names.Length)
            {
                return null;
            }

            regions[i] = index == NoRegion ? null : names[index];
        }

        return new NumberingPlanTable(next, accept, regions);
    }

    /// <summary>Whether <paramref name="other"/> is this same automaton, state for state.</summary>
    internal bool SameAs(NumberingPlanTable other) =>
        _next.AsSpan().SequenceEqual(other._next) && _accept.AsSpan().SequenceEqual(other._accept)
        && _regions.SequenceEqual(other._regions, StringComparer.Ordinal);
}
