using System.Text.Encodings.Web;
using System.Text.Json;

namespace OptOutGate.Server.JsonApi;

/// <summary>Errors the gate writes itself on the JSON face, shaped as transcoding writes a call's status (google.rpc.Status).</summary>
internal static class JsonErrors
{
    public static async Task WriteAsync(HttpContext context, int httpStatus, global::Grpc.Core.StatusCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "application/json; charset=utf-8";
        // Relaxed: the body is application/json, never HTML, so quotes in a message need no \u0027.
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("code", (int)code);
        json.WriteString("message", message);
        json.WriteStartArray("details");
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
