using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// The answer of <c>POST /v1/embeddings</c> in OpenAI's shape (<c>{object: "list", data, model, usage}</c>) plus the
/// vendor that produced it. OpenAI, Mistral and Azure answer in this shape too, so it also reads their answers.
/// </summary>
public sealed record EmbeddingList
{
    public string Object { get; init; } = "list";
    public IReadOnlyList<EmbeddingItem> Data { get; init; } = [];
    public string Model { get; init; } = "";
    public EmbeddingUsage? Usage { get; init; }
    public string? Provider { get; init; }

    /// <summary>The same vectors written in <paramref name="encoding"/>.</summary>
    public EmbeddingList As(EmbeddingEncoding encoding) => Data.All(d => d.Embedding.Encoding == encoding)
        ? this
        : this with { Data = Data.Select(d => d with { Embedding = d.Embedding with { Encoding = encoding } }).ToList() };
}

public sealed record EmbeddingItem
{
    public string Object { get; init; } = "embedding";
    public int Index { get; init; }
    public EmbeddingVector Embedding { get; init; }
}

public sealed record EmbeddingUsage
{
    public int PromptTokens { get; init; }
    public int TotalTokens { get; init; }
}

/// <summary>One vector and how it is written: a JSON array of numbers, or the base64 of its float32 values.</summary>
[JsonConverter(typeof(EmbeddingVectorConverter))]
public readonly record struct EmbeddingVector(float[] Values, EmbeddingEncoding Encoding = EmbeddingEncoding.Float);

/// <summary>Reads either form (vendors send both); writes the vector's own <see cref="EmbeddingVector.Encoding"/>.</summary>
internal sealed class EmbeddingVectorConverter : JsonConverter<EmbeddingVector>
{
    public override EmbeddingVector Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var bytes = reader.GetBytesFromBase64();
            if (bytes.Length % sizeof(float) != 0) throw new JsonException("A base64 embedding is not a whole number of float32 values.");
            var decoded = new float[bytes.Length / sizeof(float)];
            for (var i = 0; i < decoded.Length; i++) decoded[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
            return new EmbeddingVector(decoded, EmbeddingEncoding.Base64);
        }
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("An embedding must be an array of numbers or a base64 string.");
        var values = new List<float>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) values.Add(reader.GetSingle());
        return new EmbeddingVector([.. values]);
    }

    public override void Write(Utf8JsonWriter writer, EmbeddingVector value, JsonSerializerOptions options)
    {
        if (value.Encoding == EmbeddingEncoding.Base64)
        {
            var bytes = new byte[value.Values.Length * sizeof(float)];
            for (var i = 0; i < value.Values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), value.Values[i]);
            writer.WriteBase64StringValue(bytes);
            return;
        }
        writer.WriteStartArray();
        // As the double each float32 widens to: a client that parses JSON numbers as doubles (JavaScript, Python)
        // then holds exactly the vendor's value, the same as the base64 form gives; float32's shortest text does not.
        foreach (var number in value.Values) writer.WriteNumberValue((double)number);
        writer.WriteEndArray();
    }
}
