using System.Text.Json;
using System.Text.Json.Serialization;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Cohere;

// Chat v2's request, answer and stream events: only the fields the proxy sends or reads.

internal sealed record CohereRequest
{
    public required string Model { get; init; }
    public required IReadOnlyList<CohereMessage> Messages { get; init; }
    public double? Temperature { get; init; }
    public int? MaxTokens { get; init; }
    public double? P { get; init; }
    public int? K { get; init; }
    public IReadOnlyList<string>? StopSequences { get; init; }
    public long? Seed { get; init; }
    public double? PresencePenalty { get; init; }
    public double? FrequencyPenalty { get; init; }
    public bool? Stream { get; init; }
    public IReadOnlyList<ChatTool>? Tools { get; init; }
    /// <summary>REQUIRED or NONE (Cohere has no named choice; leaving it out is OpenAI's auto).</summary>
    public string? ToolChoice { get; init; }
    public bool? StrictTools { get; init; }
    public CohereResponseFormat? ResponseFormat { get; init; }
}

/// <summary><c>{type: "json_object", json_schema?}</c>: Cohere's JSON mode, with or without a schema.</summary>
internal sealed record CohereResponseFormat(string Type, JsonElement? JsonSchema);

/// <summary>Content is a string or a list of <see cref="CohereContent"/>; the two cases are separate properties.</summary>
internal sealed record CohereMessage
{
    public required string Role { get; init; }
    public object? Content { get; init; }
    /// <summary>An assistant's reasoning before its calls (OpenAI's text beside <c>tool_calls</c>).</summary>
    public string? ToolPlan { get; init; }
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
}

internal sealed record CohereContent
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public CohereImageUrl? ImageUrl { get; init; }
}

internal sealed record CohereImageUrl(string Url, string? Detail);

internal sealed record CohereResponse
{
    public string Id { get; init; } = "";
    public string? FinishReason { get; init; }
    public CohereAnswer? Message { get; init; }
    public CohereUsage? Usage { get; init; }
}

internal sealed record CohereAnswer
{
    public IReadOnlyList<CohereContent>? Content { get; init; }
    public string? ToolPlan { get; init; }
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }
}

internal sealed record CohereUsage
{
    public CohereTokens? BilledUnits { get; init; }
    public CohereTokens? Tokens { get; init; }
    /// <summary>Prompt tokens that hit Cohere's inference cache.</summary>
    public double? CachedTokens { get; init; }
}

internal sealed record CohereTokens
{
    public double? InputTokens { get; init; }
    public double? OutputTokens { get; init; }
}

internal sealed record CohereStreamEvent
{
    public string Type { get; init; } = "";
    public int Index { get; init; }
    public string? Id { get; init; }
    public CohereStreamDelta? Delta { get; init; }
}

internal sealed record CohereStreamDelta
{
    public CohereStreamMessage? Message { get; init; }
    public string? FinishReason { get; init; }
    public CohereUsage? Usage { get; init; }
    public string? Error { get; init; }
}

/// <summary>In <c>message-start</c> the content is an (empty) array; in <c>content-delta</c> an object with the text.</summary>
internal sealed record CohereStreamMessage
{
    public JsonElement? Content { get; init; }
    public string? ToolPlan { get; init; }
    /// <summary>In <c>tool-call-start</c> and <c>tool-call-delta</c>: one call (an object, not a list), whole or a piece of its arguments.</summary>
    public JsonElement? ToolCalls { get; init; }

    [JsonIgnore]
    public string? Text => Content is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
}

// Embed v2 (POST /v2/embed): texts in, vectors by type out, billed tokens in meta.

internal sealed record CohereEmbedRequest
{
    public required string Model { get; init; }
    public required IReadOnlyList<string> Texts { get; init; }
    public required string InputType { get; init; }
    public required IReadOnlyList<string> EmbeddingTypes { get; init; }
    public int? OutputDimension { get; init; }
}

internal sealed record CohereEmbedResponse
{
    public string? Id { get; init; }
    public CohereEmbeddingsByType? Embeddings { get; init; }
    public CohereEmbedMeta? Meta { get; init; }
}

internal sealed record CohereEmbeddingsByType
{
    public IReadOnlyList<float[]>? Float { get; init; }
}

internal sealed record CohereEmbedMeta
{
    public CohereTokens? BilledUnits { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CohereRequest))]
[JsonSerializable(typeof(CohereResponse))]
[JsonSerializable(typeof(CohereStreamEvent))]
[JsonSerializable(typeof(CohereEmbedRequest))]
[JsonSerializable(typeof(CohereEmbedResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<CohereContent>))]
[JsonSerializable(typeof(ChatToolCall))]
internal sealed partial class CohereJsonContext : JsonSerializerContext;
