using System.Text.Json.Serialization;

namespace LlmProxy.Core.Providers.Anthropic;

// The Messages API's request, answer and stream events: only the fields the proxy sends or reads.

internal sealed record AnthropicRequest
{
    public required string Model { get; init; }
    public required int MaxTokens { get; init; }
    public string? System { get; init; }
    public required IReadOnlyList<AnthropicMessage> Messages { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public IReadOnlyList<string>? StopSequences { get; init; }
    public bool? Stream { get; init; }
    public AnthropicMetadata? Metadata { get; init; }
}

internal sealed record AnthropicMetadata(string UserId);

internal sealed record AnthropicMessage(string Role, List<AnthropicBlock> Content);

internal sealed record AnthropicBlock
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public AnthropicImageSource? Source { get; init; }
}

internal sealed record AnthropicImageSource
{
    public required string Type { get; init; }
    public string? MediaType { get; init; }
    public string? Data { get; init; }
    public string? Url { get; init; }
}

internal sealed record AnthropicResponse
{
    public string Id { get; init; } = "";
    public string Model { get; init; } = "";
    public IReadOnlyList<AnthropicBlock> Content { get; init; } = [];
    public string? StopReason { get; init; }
    public AnthropicUsage? Usage { get; init; }
}

internal sealed record AnthropicUsage
{
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public int? CacheCreationInputTokens { get; init; }
    public int? CacheReadInputTokens { get; init; }

    /// <summary>Every input token is billed, cached or not, so the prompt count includes the cache figures.</summary>
    [JsonIgnore]
    public int PromptTokens => (InputTokens ?? 0) + (CacheCreationInputTokens ?? 0) + (CacheReadInputTokens ?? 0);
}

internal sealed record AnthropicStreamEvent
{
    public string Type { get; init; } = "";
    public AnthropicResponse? Message { get; init; }
    public AnthropicDelta? Delta { get; init; }
    public AnthropicUsage? Usage { get; init; }
    public AnthropicError? Error { get; init; }
}

internal sealed record AnthropicDelta
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public string? StopReason { get; init; }
}

internal sealed record AnthropicError(string? Type, string? Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
