using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Proxy;

/// <summary>Reads the fields of a foreign door's body (Anthropic's, OpenAI Responses') with a 400 naming a field of the wrong type.</summary>
internal static class BodyFields
{
    public static long? Number(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number
        : body[name] is null ? null : throw ProxyException.BadRequest($"{name}: Input should be a valid integer.", name);

    public static double? Double(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>()
        : body[name] is null ? null : throw ProxyException.BadRequest($"{name}: Input should be a valid number.", name);

    public static string? String(JsonNode? node, string path) =>
        node is null || node.GetValueKind() == JsonValueKind.Null ? null
        : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
        : throw ProxyException.BadRequest($"{path}: Input should be a valid string.", path);

    public static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>A field or value this vendor cannot honour: refused rather than dropped.</summary>
    public static ProxyException Unsupported(string path, string why) =>
        new(400, ErrorTypes.UnsupportedParameter, $"'{path}' cannot be translated for this vendor: {why}.", path);
}
