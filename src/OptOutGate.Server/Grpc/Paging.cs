using OptOutGate.Engine.History;
using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>Page sizes and tokens as common.proto ("Paged lists", AIP-158) defines them.</summary>
internal static class Paging
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>Default 100, at most 1,000 (larger values are treated as 1,000), negative is INVALID_ARGUMENT.</summary>
    public static int PageSize(int requested) => requested switch
    {
        < 0 => throw new RpcException(new Status(StatusCode.InvalidArgument, "page_size must not be negative.")),
        0 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        _ => requested,
    };

    /// <summary>The token's position; the first page for an empty token; INVALID_ARGUMENT for anything else that does not decode.</summary>
    public static PageToken Decode(string token, PageList list, ulong fingerprint)
    {
        if (token.Length == 0)
        {
            return new PageToken(0, "");
        }

        return PageToken.TryDecode(token, list, fingerprint, out var decoded)
            ? decoded
            : throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is not a token of this list with these filters (a token must come with the same filters and order as the call that returned it)."));
    }
}
