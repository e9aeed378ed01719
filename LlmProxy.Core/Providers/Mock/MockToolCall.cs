using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Mock;

/// <summary>
/// The mock's tool calling, deterministic so tests and local runs can rely on it: offered tools (and not told
/// <c>none</c>), it calls the named function or else the first one, unless the last message is a tool result, which
/// it answers in text. The arguments fill the schema's required properties: strings with the last user message,
/// numbers 0, booleans false, arrays and objects empty.
/// </summary>
internal static class MockToolCall
{
    public static ChatToolCall? For(ChatRequest request, string lastUserText)
    {
        if (request.Tools is not { Count: > 0 } tools || request.ToolChoice?.Mode == ToolChoice.None) return null;
        if (request.Messages is { Count: > 0 } messages && messages[^1].Role == ChatRoles.Tool) return null;
        var name = request.ToolChoice?.FunctionName ?? tools[0].Function!.Name!;
        var function = tools.First(t => t.Function?.Name == name).Function!;
        var arguments = Arguments(function.Parameters, lastUserText);
        var id = "call_mock_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + arguments)).AsSpan(0, 8));
        return CanonicalAnswer.ToolCall(id, name, arguments);
    }

    /// <summary>A JSON object satisfying <paramref name="schema"/>'s top-level required properties.</summary>
    public static string Arguments(JsonElement? schema, string text)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (schema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
                && s.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in required.EnumerateArray())
                {
                    if (entry.GetString() is not { } property || !properties.TryGetProperty(property, out var definition)) continue;
                    json.WritePropertyName(property);
                    WriteValue(json, definition, text);
                }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter json, JsonElement definition, string text)
    {
        var type = definition.TryGetProperty("type", out var t) ? t.ValueKind == JsonValueKind.Array ? t[0].GetString() : t.GetString() : "string";
        if (definition.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() > 0)
        {
            options[0].WriteTo(json);
            return;
        }
        switch (type)
        {
            case "integer" or "number": json.WriteNumberValue(0); break;
            case "boolean": json.WriteBooleanValue(false); break;
            case "array": json.WriteStartArray(); json.WriteEndArray(); break;
            case "object": json.WriteRawValue(Arguments(definition, text)); break;
            case "null": json.WriteNullValue(); break;
            default: json.WriteStringValue(text); break;
        }
    }
}
