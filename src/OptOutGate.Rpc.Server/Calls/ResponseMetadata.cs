using Microsoft.AspNetCore.Http;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Application metadata into response headers or trailers; binary values go out as unpadded base64 (SHOULD in the spec).</summary>
internal static class ResponseMetadata
{
    public static void Append(IHeaderDictionary destination, Metadata metadata)
    {
        for (var i = 0; i < metadata.Count; i++)
        {
            var entry = metadata[i];

            // grpc-* names are reserved for the protocol; an application value there would contradict the real status.
            if (entry.Key.StartsWith("grpc-", StringComparison.Ordinal))
            {
                continue;
            }

            destination.Append(entry.Key, entry.Value);
        }
    }
}
