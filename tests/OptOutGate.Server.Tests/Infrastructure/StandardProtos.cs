namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// Where the independent clients (python, node) find grpc.health.v1 and grpc.reflection's .proto files: Debian's
/// grpc-proto package (scripts/test.sh installs it), which has them as gRPC publishes them; OPTOUTGATE_GRPC_PROTOS
/// points elsewhere.
/// </summary>
internal static class StandardProtos
{
    public const string Variable = "OPTOUTGATE_GRPC_PROTOS";

    public static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
            {
                return configured;
            }

            const string debian = "/usr/share/grpc-proto";
            return File.Exists(Path.Combine(debian, "grpc", "health", "v1", "health.proto"))
                ? debian
                : throw new InvalidOperationException($"grpc/health/v1/health.proto is not under {debian}: install Debian's grpc-proto (scripts/test.sh does), or set {Variable} to a folder that has grpc/health/v1 and grpc/reflection/v1.");
        }
    }
}
