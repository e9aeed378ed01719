using System.Text.Json;
using System.Text.Json.Serialization;
using LlmProxy.Core.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>Reads and writes <see cref="MessageContent"/> as a JSON string or an array of parts.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
    public override MessageContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return MessageContent.FromText(reader.GetString()!);
            case JsonTokenType.StartArray:
                var parts = JsonSerializer.Deserialize(ref reader, ProxyJsonContext.Default.ListContentPart);
                return MessageContent.FromParts(parts ?? []);
            default:
                throw new JsonException("'content' must be a string or an array of content parts.");
        }
    }

    public override void Write(Utf8JsonWriter writer, MessageContent value, JsonSerializerOptions options)
    {
        if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
            return;
        }
        writer.WriteStartArray();
        foreach (var part in value.Parts ?? [])
            JsonSerializer.Serialize(writer, part, ProxyJsonContext.Default.ContentPart);
        writer.WriteEndArray();
    }
}
