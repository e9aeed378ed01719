using System.Text.Json.Serialization;
using LlmProxy.Core.Providers.Images;

namespace LlmProxy.Core.Providers.Gemini;

// generateContent's request, answer and error: only the fields the proxy sends or reads. camelCase on the wire.

internal sealed record GeminiRequest
{
    public required IReadOnlyList<GeminiContent> Contents { get; init; }
    public GeminiContent? SystemInstruction { get; init; }
    public GeminiGenerationConfig? GenerationConfig { get; init; }
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

// Metadata only, no fast-path serializer: the fast path writes a whole request into one buffer before sending it, which
// for inline images is the request's full size again (a buffer grown by doubling, kept by the array pool); without it
// the request is written to the connection value by value, so at most one image's base64 is buffered at a time.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
