using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// JSON Schema -> the OpenAPI subset Gemini takes in <c>parameters</c> and <c>responseSchema</c>. Gemini rejects any
/// key it does not know, so each keyword is either kept (Gemini has it), translated (a type list with "null" to
/// <c>nullable</c>, <c>const</c> to a one-value <c>enum</c>, <c>oneOf</c> to <c>anyOf</c>, local <c>$ref</c>s inlined,
/// <c>examples</c> to <c>example</c>), dropped because it carries no constraint Gemini could keep (<c>$schema</c>,
/// <c>$id</c>, <c>$comment</c>, <c>additionalProperties: true|false</c>: Gemini's objects hold the declared properties),
/// or refused with a 400 naming the keyword and where it is.
/// </summary>
internal static class GeminiSchema
{
    private const int MaxDepth = 32;

    private static readonly HashSet<string> Kept =
    [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ];

    private static readonly HashSet<string> Annotations = ["$schema", "$id", "$comment", "$defs", "definitions"];

    public static JsonNode Translate(JsonElement schema, string path) => Translate(schema, schema, path, 0, []);

    private static JsonObject Translate(JsonElement schema, JsonElement root, string path, int depth, HashSet<string> expanding)
    {
        if (depth > MaxDepth) throw Refused(path, $"nests deeper than {MaxDepth} levels");
        if (schema.ValueKind != JsonValueKind.Object) throw Refused(path, "is not a schema object");
        if (schema.TryGetProperty("$ref", out var reference)) return Inline(schema, reference, root, path, depth, expanding);

        var result = new JsonObject();
        foreach (var property in schema.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "type" when value.ValueKind == JsonValueKind.Array:
                    TypeList(result, value, at);
                    break;
                case "properties":
                    var properties = new JsonObject();
                    foreach (var p in value.EnumerateObject()) properties[p.Name] = Translate(p.Value, root, $"{at}.{p.Name}", depth + 1, expanding);
                    result["properties"] = properties;
                    break;
                case "items":
                    result["items"] = Translate(value, root, at, depth + 1, expanding);
                    break;
                case "anyOf" or "oneOf":
                    result["anyOf"] = new JsonArray(value.EnumerateArray().Select((s, i) => (JsonNode)Translate(s, root, $"{at}[{i}]", depth + 1, expanding)).ToArray());
                    break;
                case "const":
                    if (value.ValueKind != JsonValueKind.String) throw Refused(at, "holds a value other than a string (Gemini enums are strings)");
                    result["enum"] = new JsonArray(JsonValue.Create(value.GetString()));
                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                        throw Refused(at, "holds values other than strings (Gemini enums are strings)");
                    result["enum"] = JsonNode.Parse(value.GetRawText());
                    break;
                case "examples" when value.ValueKind == JsonValueKind.Array:
                    if (value.GetArrayLength() > 0) result["example"] = JsonNode.Parse(value[0].GetRawText());
                    break;
                case "additionalProperties":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Refused(at, "is a schema (Gemini objects take declared properties only)");
                    break;
                default:
                    if (Annotations.Contains(property.Name)) break;
                    if (!Kept.Contains(property.Name)) throw Refused(at, "is a keyword Gemini does not take");
                    result[property.Name] = JsonNode.Parse(value.GetRawText());
                    break;
            }
        }
        return result;
    }

    /// <summary><c>["string", "null"]</c> -> <c>type: "string", nullable: true</c>; several types -> <c>anyOf</c>.</summary>
    private static void TypeList(JsonObject result, JsonElement types, string path)
    {
        var names = types.EnumerateArray().Select(t => t.GetString() ?? throw Refused(path, "holds a non-string type")).ToList();
        if (names.Remove("null")) result["nullable"] = true;
        if (names.Count == 1) result["type"] = names[0];
        else if (names.Count > 1) result["anyOf"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["type"] = n }).ToArray());
    }

    /// <summary>A local reference (<c>#/$defs/X</c>, <c>#/definitions/X</c>) inlined; a reference to itself cannot be.</summary>
    private static JsonObject Inline(JsonElement schema, JsonElement reference, JsonElement root, string path, int depth, HashSet<string> expanding)
    {
        var at = path + ".$ref";
        if (schema.EnumerateObject().Count() > 1) throw Refused(at, "has sibling keywords");
        var target = reference.GetString() ?? "";
        if (!target.StartsWith("#/", StringComparison.Ordinal)) throw Refused(at, "is not a local reference");
        var resolved = root;
        foreach (var segment in target[2..].Split('/'))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (resolved.ValueKind != JsonValueKind.Object || !resolved.TryGetProperty(name, out resolved)) throw Refused(at, $"points at '{target}', which is not there");
        }
        if (!expanding.Add(target)) throw Refused(at, "is recursive (Gemini schemas cannot refer to themselves)");
        try
        {
            return Translate(resolved, root, path, depth + 1, expanding);
        }
        finally
        {
            expanding.Remove(target);
        }
    }

    private static ProxyException Refused(string path, string why) =>
        new(400, ErrorTypes.UnsupportedParameter, $"'{path}' {why}; Gemini cannot take this schema.", path);
}
