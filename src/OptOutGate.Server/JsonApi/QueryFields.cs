using Google.Api;
using Google.Protobuf.Reflection;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// Which query parameters a JSON route reads (google.api.http, HttpRule): a field path of the request ("filter.sender"
/// or "filter.timeRange.startTime": proto or JSON names, message fields joined by dots), not one that the path or the
/// body sets. Transcoding skips any other parameter without a word.
/// </summary>
internal static class QueryFields
{
    /// <summary>Why <paramref name="parameter"/> is not read on this route, or null when it is.</summary>
    public static string? Problem(MessageDescriptor request, HttpRule rule, string parameter)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(parameter);
        if (rule.Body == "*")
        {
            return $"the query parameter '{parameter}' is not read on this route: every field of {request.Name} goes in the JSON body.";
        }

        var message = request;
        var segments = parameter.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var field = JsonBodyFields.Find(message, segments[i]);
            if (field is null || (i < segments.Length - 1 && field.FieldType != FieldType.Message))
            {
                return $"the query parameter '{parameter}' names no field of {request.Name} (its fields: {Names(request)}).";
            }

            if (i == 0 && rule.Body.Length > 0 && field.Name == rule.Body)
            {
                return $"the query parameter '{parameter}' is part of the JSON body on this route.";
            }

            if (field.FieldType == FieldType.Message)
            {
                message = field.MessageType;
            }
        }

        return null;
    }

    private static string Names(MessageDescriptor message)
    {
        var names = new List<string>();
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            names.Add(field.FieldType == FieldType.Message && !field.MessageType.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal)
                ? field.JsonName + ".…"
                : field.JsonName);
        }

        return string.Join(", ", names);
    }
}
