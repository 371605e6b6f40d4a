using System.Buffers;
using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace OptOutGate.Engine.History;

/// <summary>
/// Writes CSV (RFC 4180: fields with a comma, quote, CR or LF are quoted and their quotes doubled; CRLF line ends;
/// UTF-8 without BOM) into a buffer and hands it out in chunks of exactly <see cref="ChunkSize"/> bytes as rows are
/// produced (the last chunk shorter), so an export of millions of rows holds about two chunks in memory. Row and
/// chunk boundaries are unrelated, as CsvChunk (admin_optouts.proto) allows.
/// </summary>
internal sealed class CsvChunkWriter
{
    /// <summary>CsvChunk.data is at most 64 KiB (admin_optouts.proto).</summary>
    public const int ChunkSize = 64 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");

    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, Task> _emit;
    private byte[] _buffer = new byte[ChunkSize * 2];
    private int _length;
    private bool _inRow;

    /// <param name="emit">Receives each chunk; the memory is reused afterwards, so it must be copied (ByteString.CopyFrom).</param>
    public CsvChunkWriter(Func<ReadOnlyMemory<byte>, CancellationToken, Task> emit)
    {
        _emit = emit;
    }

    /// <summary>Rows written so far (header included).</summary>
    public long Rows { get; private set; }

    /// <summary>Chunks handed out so far.</summary>
    public long Chunks { get; private set; }

    public void Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Separator();
        if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            Append(value);
            return;
        }

        Append("\"");
        Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        Append("\"");
    }

    public void Field(ulong value) => Field(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>RFC 3339 in UTC with the fraction only as long as needed; empty when unset.</summary>
    public void Field(Timestamp? value) =>
        Field(value is null ? "" : value.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    /// <summary>A header row: the column names, in order.</summary>
    public void Header(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var column in columns)
        {
            Field(column);
        }

        EndRow();
    }

    public void EndRow()
    {
        Append("\r\n");
        _inRow = false;
        Rows++;
    }

    /// <summary>Hands out every full chunk buffered; call after each row (cheap when there is none).</summary>
    public async Task FlushFullChunksAsync(CancellationToken ct)
    {
        var offset = 0;
        while (_length - offset >= ChunkSize)
        {
            await _emit(_buffer.AsMemory(offset, ChunkSize), ct);
            Chunks++;
            offset += ChunkSize;
        }

        if (offset > 0)
        {
            Buffer.BlockCopy(_buffer, offset, _buffer, 0, _length - offset);
            _length -= offset;
        }
    }

    /// <summary>Hands out everything buffered (the last, possibly short, chunk).</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await FlushFullChunksAsync(ct);
        if (_length > 0)
        {
            await _emit(_buffer.AsMemory(0, _length), ct);
            Chunks++;
            _length = 0;
        }
    }

    private void Separator()
    {
        if (_inRow)
        {
            Append(",");
        }

        _inRow = true;
    }

    private void Append(string text)
    {
        var needed = Utf8.GetMaxByteCount(text.Length);
        if (_length + needed > _buffer.Length)
        {
            needed = Utf8.GetByteCount(text);
            if (_length + needed > _buffer.Length)
            {
                // One huge field (an MO text is bounded by the record size, 64 KiB): grow once, shrink never.
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + needed));
            }
        }

        _length += Utf8.GetBytes(text, 0, text.Length, _buffer, _length);
    }
}
