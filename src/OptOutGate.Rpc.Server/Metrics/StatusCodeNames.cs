namespace OptOutGate.Rpc.Server.Metrics;

/// <summary>Status code names as metric label values, in the upper-snake form of the gRPC spec (no allocation per call).</summary>
internal static class StatusCodeNames
{
    private static readonly string[] s_names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static string Get(StatusCode code) => (uint)code < (uint)s_names.Length ? s_names[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
