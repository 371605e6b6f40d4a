using System.Net;
using System.Text;
using System.Text.Json;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>A JSON client as any HTTP user has one: HttpClient, a JSON body, the status and the JSON it answered.</summary>
public sealed class JsonHttp(HttpClient client) : IDisposable
{
    public HttpClient Client => client;

    public Task<JsonReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path, body: null);

    public Task<JsonReply> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));

    public Task<JsonReply> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, JsonSerializer.Serialize(body));

    public Task<JsonReply> PatchAsync(string path, object body) => SendAsync(HttpMethod.Patch, path, JsonSerializer.Serialize(body));

    public Task<JsonReply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, body: null);

    /// <summary>Sends <paramref name="body"/> as it is (application/json unless <paramref name="contentType"/> says otherwise).</summary>
    public async Task<JsonReply> SendAsync(HttpMethod method, string path, string? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new JsonReply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    public void Dispose() => client.Dispose();
}

/// <summary>An HTTP answer: status, media type and body, with the body's JSON when it is JSON.</summary>
public sealed record JsonReply(HttpStatusCode Status, string? MediaType, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>The gRPC code of an error body ({"code", "message", "details"}).</summary>
    public int Code => Json.GetProperty("code").GetInt32();

    public string Message => Json.GetProperty("message").GetString()!;

    public JsonReply Ok()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Text}");
        Assert.Equal("application/json", MediaType);
        return this;
    }

    /// <summary>Asserts an error with this HTTP status and gRPC code, in transcoding's JSON error shape.</summary>
    public JsonReply Error(HttpStatusCode status, global::Grpc.Core.StatusCode code)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {(int)Status}: {Text}");
        Assert.Equal("application/json", MediaType);
        Assert.Equal((int)code, Code);
        Assert.False(string.IsNullOrWhiteSpace(Message));
        return this;
    }

    public override string ToString() => $"{(int)Status} {Text}";
}
