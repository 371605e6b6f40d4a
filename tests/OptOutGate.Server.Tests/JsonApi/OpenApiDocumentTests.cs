using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>GET /openapi/v1.json: the gate describes every JSON route of the contract, from the protos and their comments.</summary>
public sealed partial class OpenApiDocumentTests(JsonApiFixture fixture) : IClassFixture<JsonApiFixture>
{
    private static readonly ServiceDescriptor[] s_services = [Contracts.V1.Gate.Descriptor, Contracts.V1.Mo.Descriptor, Contracts.V1.Admin.Descriptor];

    [Fact]
    public void EveryUnaryAndServerStreamingRpc_HasAJsonRoute()
    {
        var missing = new List<string>();
        foreach (var service in s_services)
        {
            foreach (var method in service.Methods)
            {
                if (!method.IsClientStreaming && method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is null)
                {
                    missing.Add(method.FullName);
                }
            }
        }

        // Client and bidirectional streams (CheckStream, StreamMo, ImportOptOuts) have no JSON form (README, "JSON/REST API").
        Assert.True(missing.Count == 0, "RPCs without a google.api.http route (add one, README \"JSON/REST API\" says how they are named): " + string.Join(", ", missing));
    }

    [Fact]
    public async Task TheDocument_ListsEveryRoute_WithItsProtoComment_WithoutAKey()
    {
        using var anonymous = fixture.Http(key: null);
        var reply = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var document = reply.Json;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");

        var routes = 0;
        foreach (var service in s_services)
        {
            foreach (var method in service.Methods)
            {
                if (method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is not { } rule)
                {
                    continue;
                }

                var (verb, path) = Route(rule);
                Assert.True(paths.TryGetProperty(path, out var item), $"{method.FullName}: {verb} {path} is not in the document");
                Assert.True(item.TryGetProperty(verb, out var operation), $"{method.FullName}: {path} has no {verb}");
                Assert.False(string.IsNullOrWhiteSpace(Text(operation)), $"{method.FullName}: no description from the proto comment");
                routes++;
            }
        }

        Assert.Equal(routes, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
        var add = paths.GetProperty("/v1/optouts:add").GetProperty("post");
        Assert.Contains("Opts out up to 10,000 recipients", Text(add), StringComparison.Ordinal);
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
    }

    [Fact]
    public async Task TheExports_AreDescribedAsCsvFiles()
    {
        using var anonymous = fixture.Http(key: null);
        var paths = (await anonymous.GetAsync("/openapi/v1.json")).Json.GetProperty("paths");
        foreach (var path in new[] { "/v1/entries:export", "/v1/history:export" })
        {
            var content = paths.GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content");
            Assert.Equal(["text/csv"], content.EnumerateObject().Select(c => c.Name));
        }
    }

    private static string Text(JsonElement operation) =>
        (operation.TryGetProperty("summary", out var summary) ? summary.GetString() : "") + (operation.TryGetProperty("description", out var description) ? description.GetString() : "");

    /// <summary>The rule's verb and path as OpenAPI writes it: field paths in braces by their JSON names.</summary>
    private static (string Verb, string Path) Route(HttpRule rule)
    {
        var (verb, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("get", rule.Get),
            HttpRule.PatternOneofCase.Post => ("post", rule.Post),
            HttpRule.PatternOneofCase.Put => ("put", rule.Put),
            HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
            HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
            _ => throw new InvalidOperationException(rule.ToString()),
        };
        return (verb, Variable().Replace(template, m => "{" + string.Join('.', m.Groups[1].Value.Split('.').Select(JsonName)) + "}"));
    }

    private static string JsonName(string field) => Regex.Replace(field, "_([a-z])", m => m.Groups[1].Value.ToUpperInvariant());

    [GeneratedRegex(@"\{([^}=]+)\}")]
    private static partial Regex Variable();
}
