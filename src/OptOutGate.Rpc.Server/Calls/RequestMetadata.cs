using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Custom metadata from request headers (PROTOCOL-HTTP2.md "Custom-Metadata"); built only when a handler asks.</summary>
internal static class RequestMetadata
{
    public static Metadata Parse(IHeaderDictionary headers, ILogger logger)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
        {
            // Kestrel lists known headers under their canonical casing (User-Agent, TE); HTTP/2 names are lower-case.
            var key = header.Key.ToLowerInvariant();
            if (key.Length == 0 || key[0] == ':' || RpcProtocol.IsReservedRequestHeader(key))
            {
                continue;
            }

            if (Metadata.IsBinaryKey(key))
            {
                AddBinary(metadata, key, header.Value, logger);
            }
            else
            {
                AddText(metadata, key, header.Value, logger);
            }
        }

        return metadata;
    }

    /// <summary>
    /// Decodes base64 with or without padding (implementations MUST accept both). Returns false for anything that is
    /// not base64, including a length of 4n+1, which no padding can repair.
    /// </summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, out byte[] bytes)
    {
        text = text.Trim();
        bytes = [];
        var remainder = text.Length % 4;
        if (remainder == 1)
        {
            return false;
        }

        var padding = remainder == 0 ? 0 : 4 - remainder;
        var padded = text.Length + padding;
        var chars = padded <= 256 ? stackalloc char[padded] : new char[padded];
        text.CopyTo(chars);
        chars[text.Length..].Fill('=');
        var buffer = new byte[padded / 4 * 3];
        if (!Convert.TryFromBase64Chars(chars, buffer, out var written))
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static void AddBinary(Metadata metadata, string key, StringValues values, ILogger logger)
    {
        foreach (var value in values)
        {
            // Several values of one name may arrive joined by ','; split before decoding (',' is not base64).
            var rest = (value ?? string.Empty).AsSpan();
            while (true)
            {
                var comma = rest.IndexOf(',');
                var part = comma < 0 ? rest : rest[..comma];
                if (TryDecodeBase64(part, out var bytes))
                {
                    metadata.Add(key, bytes);
                }
                else
                {
                    RpcServerLog.InvalidBinaryMetadata(logger, key);
                }

                if (comma < 0)
                {
                    break;
                }

                rest = rest[(comma + 1)..];
            }
        }
    }

    private static void AddText(Metadata metadata, string key, StringValues values, ILogger logger)
    {
        foreach (var value in values)
        {
            // The spec says an HTTP-legal but non-printable value must not fail the call: it is dropped instead.
            if (value is null || !IsPrintableAscii(value) || !IsValidKey(key))
            {
                RpcServerLog.InvalidTextMetadata(logger, key);
                continue;
            }

            metadata.Add(key, value);
        }
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidKey(string key)
    {
        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
