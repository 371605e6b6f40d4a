using System.Globalization;
using System.Net.Http.Headers;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>Reads a call's status from response headers or trailers, and judges response headers as grpc-dotnet's client does.</summary>
internal static class ResponseStatus
{
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";

    public static readonly Status NoStatus = new(StatusCode.Cancelled, "No grpc-status found on response.");

    /// <summary>
    /// Checks the response headers. Returns null when a normal response (messages, then trailers) follows; otherwise
    /// the call's status, with <paramref name="trailersOnly"/> true when the server sent it in a Trailers-Only
    /// response (the headers are then the trailers).
    /// </summary>
    public static Status? Validate(HttpResponseMessage response, out bool trailersOnly)
    {
        // An explicit grpc-status in the headers wins over every other check: it is the server's word (Trailers-Only,
        // e.g. UNIMPLEMENTED, or 415 with grpc-status 13 from a grpc-dotnet server).
        if (TryGetStatus(response.Headers, out var status))
        {
            trailersOnly = true;
            return status;
        }

        trailersOnly = false;
        if (response.Version.Major < 2)
        {
            return new Status(StatusCode.Internal, $"Bad gRPC response. Response protocol downgraded to HTTP/{response.Version.ToString(2)}.");
        }

        var httpStatus = (int)response.StatusCode;
        if (httpStatus != 200)
        {
            return new Status(GrpcHttpMapping.FromHttpStatus(httpStatus), "Bad gRPC response. HTTP status code: " + httpStatus.ToString(CultureInfo.InvariantCulture));
        }

        var contentType = response.Content.Headers.ContentType;
        if (contentType is null)
        {
            return new Status(StatusCode.Cancelled, "Bad gRPC response. Response did not have a content-type header.");
        }

        if (!GrpcHttpMapping.IsGrpcContentType(contentType.MediaType))
        {
            return new Status(StatusCode.Cancelled, "Bad gRPC response. Invalid content-type value: " + contentType);
        }

        return null;
    }

    /// <summary>Reads grpc-status and grpc-message (percent-decoded). An unparsable grpc-status is UNKNOWN, an error parsing the returned status.</summary>
    public static bool TryGetStatus(HttpHeaders headers, out Status status)
    {
        if (!TryGetSingle(headers, StatusHeader, out var code))
        {
            status = default;
            return false;
        }

        string? message = null;
        if (TryGetSingle(headers, MessageHeader, out var encoded))
        {
            message = PercentEncoding.Decode(encoded);
        }

        status = ParseStatus(code, message);
        return true;
    }

    public static Status ParseStatus(string code, string? message)
    {
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{code}' on response.");
        }

        return new Status((StatusCode)value, message ?? string.Empty);
    }

    private static bool TryGetSingle(HttpHeaders headers, string name, out string value)
    {
        // NonValidated: no parsing or allocation of a validated collection for headers HttpClient does not know.
        if (headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0)
        {
            foreach (var v in values)
            {
                value = v;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }
}
