using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Providers.Images;

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
    public IReadOnlyList<AnthropicTool>? Tools { get; init; }
    public AnthropicToolChoice? ToolChoice { get; init; }
}

internal sealed record AnthropicTool
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required JsonElement InputSchema { get; init; }
    public bool? Strict { get; init; }
}

/// <summary><c>{type: auto | any | tool | none, name?, disable_parallel_tool_use?}</c>.</summary>
internal sealed record AnthropicToolChoice
{
    public required string Type { get; init; }
    public string? Name { get; init; }
    public bool? DisableParallelToolUse { get; init; }
}

internal sealed record AnthropicMetadata(string UserId);

internal sealed record AnthropicMessage(string Role, List<AnthropicBlock> Content);

/// <summary>A content block: text, image, tool_use (<c>id</c>, <c>name</c>, <c>input</c>) or tool_result (<c>tool_use_id</c>, <c>content</c>).</summary>
internal sealed record AnthropicBlock
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public AnthropicImageSource? Source { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public JsonElement? Input { get; init; }
    public string? ToolUseId { get; init; }
    public IReadOnlyList<AnthropicBlock>? Content { get; init; }
}

internal sealed record AnthropicImageSource
{
    public required string Type { get; init; }
    public string? MediaType { get; init; }
    public Base64Data? Data { get; init; }
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

    /// <summary>
    /// Canonical usage: Anthropic's <c>input_tokens</c> leaves out the tokens read from and written to the cache, which
    /// are billed too, so the prompt count adds them (as OpenAI's <c>prompt_tokens</c> includes its cached tokens).
    /// Thinking tokens are part of <c>output_tokens</c> and not reported apart.
    /// </summary>
    public ChatUsage ToCanonical() => ChatUsage.Of(
        (InputTokens ?? 0) + (CacheCreationInputTokens ?? 0) + (CacheReadInputTokens ?? 0), OutputTokens ?? 0,
        CacheReadInputTokens, CacheCreationInputTokens, reasoning: null);

    /// <summary>
    /// A stream's usage so far, updated by a later event's figures: <c>message_delta</c> counts are cumulative, so
    /// each figure it carries replaces the earlier one.
    /// </summary>
    public AnthropicUsage With(AnthropicUsage? later) => later is null ? this : new()
    {
        InputTokens = later.InputTokens ?? InputTokens,
        OutputTokens = later.OutputTokens ?? OutputTokens,
        CacheCreationInputTokens = later.CacheCreationInputTokens ?? CacheCreationInputTokens,
        CacheReadInputTokens = later.CacheReadInputTokens ?? CacheReadInputTokens,
    };
}

internal sealed record AnthropicStreamEvent
{
    public string Type { get; init; } = "";
    public int Index { get; init; }
    public AnthropicBlock? ContentBlock { get; init; }
    public AnthropicResponse? Message { get; init; }
    public AnthropicDelta? Delta { get; init; }
    public AnthropicUsage? Usage { get; init; }
    public AnthropicError? Error { get; init; }
}

internal sealed record AnthropicDelta
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public string? PartialJson { get; init; }
    public string? StopReason { get; init; }
}

internal sealed record AnthropicError(string? Type, string? Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
