using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// The body of <c>POST /v1/embeddings</c> in OpenAI's shape, plus the proxy's <c>input_type</c> (what the texts are
/// for: Cohere's <c>input_type</c>, Gemini's <c>taskType</c>) and <c>cache</c>.
/// </summary>
public sealed record EmbeddingRequest
{
    public string? Model { get; init; }

    /// <summary>A string or an array of strings; always a list here (<see cref="EmbeddingInputConverter"/>).</summary>
    [JsonConverter(typeof(EmbeddingInputConverter))]
    public IReadOnlyList<string>? Input { get; init; }

    public int? Dimensions { get; init; }
    public string? EncodingFormat { get; init; }
    public string? User { get; init; }
    public string? InputType { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>
/// Reads <c>input</c> as OpenAI defines it for text: one string or an array of strings. Token-id arrays, which only
/// OpenAI's own tokenizer gives meaning to, are refused rather than sent to vendors that would read them differently.
/// </summary>
internal sealed class EmbeddingInputConverter : JsonConverter<IReadOnlyList<string>>
{
    private const string Expected = "'input' must be a string or an array of strings (token-id arrays are not supported).";

    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return [reader.GetString()!];
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException(Expected);
        var inputs = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException(Expected);
            inputs.Add(reader.GetString()!);
        }
        return inputs;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var input in value) writer.WriteStringValue(input);
        writer.WriteEndArray();
    }
}
