using System.Text.Json;
using Google.Protobuf.Reflection;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// Finds a JSON body's first member that names no field of its message. Transcoding drops such members without a
/// word, so a misspelt "recipient" for "recipients" would check nobody and answer 200; the proto3 JSON mapping says a
/// parser should reject unknown fields by default, and so does the gate. Names are a field's JSON name or its proto
/// name, as transcoding reads both; well-known types (Timestamp, Duration, FieldMask...) and maps are not looked into.
/// </summary>
internal static class JsonBodyFields
{
    /// <summary>Why <paramref name="body"/> does not fit <paramref name="message"/>, or null when every member names a field.</summary>
    public static string? Problem(MessageDescriptor message, JsonElement body)
    {
        ArgumentNullException.ThrowIfNull(message);
        return body.ValueKind == JsonValueKind.Object ? Check(message, body, "$") : null;
    }

    private static string? Check(MessageDescriptor message, JsonElement body, string path)
    {
        foreach (var member in body.EnumerateObject())
        {
            var field = Find(message, member.Name);
            var at = path + "." + member.Name;
            if (field is null)
            {
                return $"the JSON body has '{at}', which names no field of {message.FullName} (its fields: {Names(message)}).";
            }

            if (field.FieldType != FieldType.Message || field.IsMap || field.MessageType.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal))
            {
                continue;
            }

            if (field.IsRepeated && member.Value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in member.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && Check(field.MessageType, item, $"{at}[{index}]") is { } problem)
                    {
                        return problem;
                    }

                    index++;
                }
            }
            else if (member.Value.ValueKind == JsonValueKind.Object && Check(field.MessageType, member.Value, at) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>The field <paramref name="name"/> names, by its JSON name or its proto name, as transcoding reads them.</summary>
    internal static FieldDescriptor? Find(MessageDescriptor message, string name)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            if (field.JsonName == name || field.Name == name)
            {
                return field;
            }
        }

        return null;
    }

    private static string Names(MessageDescriptor message)
    {
        var names = new List<string>();
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            names.Add(field.JsonName);
        }

        return string.Join(", ", names);
    }
}
