using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Gemini;

// generateContent's request, answer and error: only the fields the proxy sends or reads. camelCase on the wire.

internal sealed record GeminiRequest
{
    public required IReadOnlyList<GeminiContent> Contents { get; init; }
    public GeminiContent? SystemInstruction { get; init; }
    public GeminiGenerationConfig? GenerationConfig { get; init; }
    public IReadOnlyList<GeminiTool>? Tools { get; init; }
    public GeminiToolConfig? ToolConfig { get; init; }
}

internal sealed record GeminiTool(IReadOnlyList<GeminiFunctionDeclaration> FunctionDeclarations);

internal sealed record GeminiFunctionDeclaration
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>The parameters' schema in Gemini's OpenAPI subset (<see cref="GeminiSchema"/>).</summary>
    public JsonNode? Parameters { get; init; }
}

internal sealed record GeminiToolConfig(GeminiFunctionCallingConfig FunctionCallingConfig);

/// <summary><c>mode</c>: AUTO, ANY or NONE; <c>allowedFunctionNames</c> only with ANY.</summary>
internal sealed record GeminiFunctionCallingConfig(string Mode, IReadOnlyList<string>? AllowedFunctionNames = null);

/// <summary>A function call in a model turn: no id in the API's answers (newer versions may add one).</summary>
internal sealed record GeminiFunctionCall
{
    public string? Id { get; init; }
    public required string Name { get; init; }
    public JsonElement? Args { get; init; }
}

internal sealed record GeminiFunctionResponse(string Name, JsonElement Response)
{
    /// <summary>The place of the call it answers, to order a turn's responses; not sent.</summary>
    [JsonIgnore]
    public int Order { get; init; }
}

internal sealed record GeminiContent
{
    public string? Role { get; init; }
    public List<GeminiPart> Parts { get; init; } = [];
}

internal sealed record GeminiPart
{
    public string? Text { get; init; }
    public GeminiBlob? InlineData { get; init; }
    /// <summary>Set on thinking models' reasoning summaries, which are not answer text.</summary>
    public bool? Thought { get; init; }
    public GeminiFunctionCall? FunctionCall { get; init; }
    public GeminiFunctionResponse? FunctionResponse { get; init; }
}

internal sealed record GeminiBlob(string MimeType, Base64Data Data);

internal sealed record GeminiGenerationConfig
{
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public int? MaxOutputTokens { get; init; }
    public IReadOnlyList<string>? StopSequences { get; init; }
    public int? CandidateCount { get; init; }
    public long? Seed { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public string? ResponseMimeType { get; init; }
    /// <summary>The answer's schema in Gemini's OpenAPI subset (<see cref="GeminiSchema"/>).</summary>
    public JsonNode? ResponseSchema { get; init; }
}

internal sealed record GeminiResponse
{
    public IReadOnlyList<GeminiCandidate>? Candidates { get; init; }
    public GeminiUsage? UsageMetadata { get; init; }
    public string? ModelVersion { get; init; }
    public string? ResponseId { get; init; }
    public GeminiPromptFeedback? PromptFeedback { get; init; }
    public GeminiError? Error { get; init; }
}

internal sealed record GeminiCandidate
{
    public GeminiContent? Content { get; init; }
    public string? FinishReason { get; init; }
    public int Index { get; init; }
}

internal sealed record GeminiUsage
{
    /// <summary>Every prompt token, the ones read from a context cache included.</summary>
    public int PromptTokenCount { get; init; }
    public int? CachedContentTokenCount { get; init; }
    /// <summary>The answer's tokens, without the thinking tokens.</summary>
    public int CandidatesTokenCount { get; init; }
    public int? ThoughtsTokenCount { get; init; }
}

internal sealed record GeminiPromptFeedback(string? BlockReason);

internal sealed record GeminiError(int? Code, string? Message, string? Status);

// batchEmbedContents: one embed request per text, one vector per request back, and no usage.

internal sealed record GeminiBatchEmbedRequest(IReadOnlyList<GeminiEmbedRequest> Requests);

internal sealed record GeminiEmbedRequest
{
    /// <summary><c>models/{model}</c>; it must name the model of the URL.</summary>
    public required string Model { get; init; }
    public required GeminiContent Content { get; init; }
    public string? TaskType { get; init; }
    public int? OutputDimensionality { get; init; }
}

internal sealed record GeminiBatchEmbedResponse(IReadOnlyList<GeminiEmbedding>? Embeddings);

internal sealed record GeminiEmbedding(float[] Values);

// Metadata only, no fast-path serializer: the fast path writes a whole request into one buffer before sending it, which
// for inline images is the request's full size again (a buffer grown by doubling, kept by the array pool); without it
// the request is written to the connection value by value, so at most one image's base64 is buffered at a time.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
[JsonSerializable(typeof(GeminiBatchEmbedRequest))]
[JsonSerializable(typeof(GeminiBatchEmbedResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
