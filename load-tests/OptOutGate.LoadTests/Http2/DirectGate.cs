using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Http2;

/// <summary>What every use of the direct client against the gate shares: the request headers and the connections.</summary>
internal static class DirectGate
{
    /// <summary>
    /// The HPACK block of a call to <paramref name="path"/>: the user agent, the API key (--key) as a bearer token, and
    /// with <paramref name="deadline"/> the call's deadline (-t) as grpc-timeout (a stream has none: it lasts the run).
    /// </summary>
    public static byte[] HeaderBlock(LoadTestOptions options, string path, bool deadline)
    {
        List<(string, string)> headers = [("user-agent", "optoutgate-loadtests-direct")];
        if (deadline)
        {
            headers.Insert(0, ("grpc-timeout", GrpcHttpMapping.FormatTimeout(options.Timeout)));
        }

        if (options.Key is { } key)
        {
            headers.Add(("authorization", "Bearer " + key));
        }

        return RequestHeaderBlock.Encode(options.Address.Authority, path, headers);
    }

    /// <summary>--connections HTTP/2 connections to the gate (h2c); none is left open if one fails.</summary>
    public static Http2Connection[] Connect(LoadTestOptions options)
    {
        var connections = new List<Http2Connection>();
        try
        {
            for (var i = 0; i < options.Connections; i++)
            {
                connections.Add(Http2Connection.Connect(options.Address.Host, options.Address.Port, options.Timeout));
            }
        }
        catch
        {
            connections.ForEach(static c => c.Dispose());
            throw;
        }

        return [.. connections];
    }
}
