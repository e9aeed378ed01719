using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>Reads and writes <see cref="ToolChoice"/> as OpenAI's string or <c>{type: "function", function: {name}}</c>.</summary>
public sealed class ToolChoiceConverter : JsonConverter<ToolChoice>
{
    private const string Shape = "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}.";

    public override ToolChoice? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new ToolChoice { Mode = reader.GetString() };
            case JsonTokenType.StartObject:
                var element = JsonElement.ParseValue(ref reader);
                if (element.TryGetProperty("type", out var type) && type.ValueEquals(ToolTypes.Function)
                    && element.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
                    && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    return new ToolChoice { FunctionName = name.GetString() };
                throw new JsonException(Shape);
            default:
                throw new JsonException(Shape);
        }
    }

    public override void Write(Utf8JsonWriter writer, ToolChoice value, JsonSerializerOptions options)
    {
        if (value.FunctionName is null)
        {
            writer.WriteStringValue(value.Mode);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("type", ToolTypes.Function);
        writer.WriteStartObject("function");
        writer.WriteString("name", value.FunctionName);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
