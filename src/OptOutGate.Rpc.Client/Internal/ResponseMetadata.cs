using System.Buffers.Text;
using System.Net.Http.Headers;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// Response headers and trailers as <see cref="Metadata"/>: reserved gRPC and transport headers are left out, <c>-bin</c>
/// values are split on ',' before base64-decoding (PROTOCOL-HTTP2.md allows joined duplicates) and accepted padded or
/// unpadded. Values a peer sends that are not valid metadata are skipped, never an error ("must not error").
/// </summary>
internal static class ResponseMetadata
{
    public static Metadata Read(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            if (IsReserved(header.Key) || !IsValidKey(header.Key))
            {
                continue;
            }

            var binary = Metadata.IsBinaryKey(header.Key);
            foreach (var value in header.Value)
            {
                if (binary)
                {
                    AddBinary(metadata, header.Key, value);
                }
                else if (IsValidValue(value))
                {
                    metadata.Add(header.Key, value);
                }
            }
        }

        return metadata;
    }

    /// <summary>Decodes base64 with or without padding.</summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, out byte[] bytes)
    {
        text = text.Trim(' ');
        var padding = (4 - (text.Length % 4)) % 4;
        if (padding == 3)
        {
            bytes = [];
            return false;
        }

        Span<char> padded = text.Length + padding <= 256 ? stackalloc char[text.Length + padding] : new char[text.Length + padding];
        text.CopyTo(padded);
        padded[text.Length..].Fill('=');
        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64Chars(padded, buffer, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static void AddBinary(Metadata metadata, string key, string value)
    {
        var remaining = value.AsSpan();
        while (true)
        {
            var comma = remaining.IndexOf(',');
            var part = comma < 0 ? remaining : remaining[..comma];
            if (TryDecodeBase64(part, out var bytes))
            {
                metadata.Add(key, bytes);
            }

            if (comma < 0)
            {
                return;
            }

            remaining = remaining[(comma + 1)..];
        }
    }

    private static bool IsReserved(string key) =>
        key.StartsWith(':')
        || key.Equals(ResponseStatus.StatusHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(ResponseStatus.MessageHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageCompression.EncodingHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageCompression.AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase);

    private static bool IsValidKey(string key)
    {
        foreach (var c in key)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.'))
            {
                return false;
            }
        }

        return key.Length > 0;
    }

    private static bool IsValidValue(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
