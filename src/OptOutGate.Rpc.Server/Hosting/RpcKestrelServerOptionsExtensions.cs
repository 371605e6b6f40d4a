using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OptOutGate.Rpc.Server.Hosting;

public static class RpcKestrelServerOptionsExtensions
{
    /// <summary>Kestrel limits suited to a gRPC server under load (apply before adding endpoints).</summary>
    public static void ConfigureRpcDefaults(this KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The Server header tells clients nothing useful and costs bytes on every response (grpc-dotnet's benchmark
        // server turns it off too).
        options.AddServerHeader = false;

        var http2 = options.Limits.Http2;

        // Kestrel's default of 100 concurrent streams per connection caps ghz at 100 in-flight calls per connection:
        // grpc-go parks further streams until one ends, so "-c 500 --connections 1" would silently measure -c 100.
        http2.MaxStreamsPerConnection = 1000;

        // A stream window larger than the 768 KiB default lets a message up to the 4 MiB receive limit arrive in a
        // few round trips; the connection window is shared by all streams, so it is several stream windows wide
        // to keep concurrent calls from starving each other. Both are upper bounds on buffered request bytes.
        http2.InitialStreamWindowSize = 1024 * 1024;
        http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
    }
}
