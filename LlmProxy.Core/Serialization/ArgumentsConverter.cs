using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>
/// Function arguments are a JSON text. Some OpenAI-like vendors (Mistral) may answer them as an object; that object's
/// JSON text is taken instead, so the caller always gets a string.
/// </summary>
public sealed class ArgumentsConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.StartObject => JsonElement.ParseValue(ref reader).GetRawText(),
        _ => throw new JsonException("'arguments' must be a JSON text (a string)."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
