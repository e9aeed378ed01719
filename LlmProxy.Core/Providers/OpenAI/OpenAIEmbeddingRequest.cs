using System.Text.Json.Serialization;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// An embeddings request in the OpenAI shape, which Mistral and Azure OpenAI share with variations: each adapter
/// sets only the fields its vendor defines (Mistral refuses the others).
/// </summary>
internal sealed record OpenAIEmbeddingRequest
{
    public required string Model { get; init; }
    public required IReadOnlyList<string> Input { get; init; }

    /// <summary>OpenAI and Azure: the vector length (text-embedding-3 and later).</summary>
    public int? Dimensions { get; init; }

    /// <summary>Mistral: the vector length (models that support it).</summary>
    public int? OutputDimension { get; init; }

    /// <summary><c>base64</c> halves the answer's size against JSON numbers, and decodes exactly.</summary>
    public string? EncodingFormat { get; init; }

    public string? User { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAIEmbeddingRequest))]
internal sealed partial class OpenAIEmbeddingJsonContext : JsonSerializerContext;
