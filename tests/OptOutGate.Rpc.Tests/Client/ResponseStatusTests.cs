using System.Net;
using System.Net.Http.Headers;
using OptOutGate.Rpc.Client.Internal;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

public sealed class ResponseStatusTests
{
    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(431, StatusCode.Internal)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(200, StatusCode.Unknown)]
    [InlineData(103, StatusCode.Internal)]
    public void Http_status_maps_per_the_grpc_table(int http, StatusCode expected) =>
        Assert.Equal(expected, GrpcHttpMapping.FromHttpStatus(http));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("APPLICATION/GRPC", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_content_type_is_recognised_with_subtypes_and_parameters_only(string? mediaType, bool expected) =>
        Assert.Equal(expected, GrpcHttpMapping.IsGrpcContentType(mediaType));

    [Fact]
    public void Valid_response_headers_mean_messages_follow()
    {
        using var response = Response(HttpStatusCode.OK, "application/grpc+proto");

        Assert.Null(ResponseStatus.Validate(response, out var trailersOnly));
        Assert.False(trailersOnly);
    }

    [Fact]
    public void Grpc_status_in_headers_is_trailers_only_and_wins_over_http_status_and_content_type()
    {
        using var response = Response(HttpStatusCode.UnsupportedMediaType, null);
        response.Headers.TryAddWithoutValidation("grpc-status", "13");
        response.Headers.TryAddWithoutValidation("grpc-message", "Content-Type%20%27x%27 is not supported, 100%25");

        var status = ResponseStatus.Validate(response, out var trailersOnly);

        Assert.True(trailersOnly);
        Assert.Equal(new Status(StatusCode.Internal, "Content-Type 'x' is not supported, 100%"), status);
    }

    [Fact]
    public void Http_error_without_grpc_status_maps_the_http_status()
    {
        using var response = Response(HttpStatusCode.ServiceUnavailable, "text/html");

        var status = ResponseStatus.Validate(response, out _);

        Assert.Equal(StatusCode.Unavailable, status?.Code);
        Assert.Equal("Bad gRPC response. HTTP status code: 503", status?.Detail);
    }

    [Fact]
    public void Http11_response_is_internal()
    {
        using var response = Response(HttpStatusCode.OK, "application/grpc");
        response.Version = HttpVersion.Version11;

        Assert.Equal(StatusCode.Internal, ResponseStatus.Validate(response, out _)?.Code);
    }

    [Fact]
    public void Missing_or_foreign_content_type_is_cancelled()
    {
        using var missing = Response(HttpStatusCode.OK, null);
        using var foreign = Response(HttpStatusCode.OK, "application/grpc-web");

        Assert.Equal(new Status(StatusCode.Cancelled, "Bad gRPC response. Response did not have a content-type header."), ResponseStatus.Validate(missing, out _));
        Assert.Equal(StatusCode.Cancelled, ResponseStatus.Validate(foreign, out _)?.Code);
    }

    [Fact]
    public void Unparsable_grpc_status_is_unknown()
    {
        var headers = new HttpResponseMessage().Headers;
        headers.TryAddWithoutValidation("grpc-status", "abc");

        Assert.True(ResponseStatus.TryGetStatus(headers, out var status));
        Assert.Equal(StatusCode.Unknown, status.Code);
    }

    private static HttpResponseMessage Response(HttpStatusCode code, string? contentType)
    {
        var response = new HttpResponseMessage(code) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) };
        if (contentType is not null)
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return response;
    }
}
