using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmProxy.Core.Chat;

/// <summary>A whole answer in the OpenAI <c>chat.completion</c> shape, plus the vendor that produced it.</summary>
public sealed record ChatCompletion
{
    public string Id { get; init; } = "";
    public string Object { get; init; } = "chat.completion";
    public long Created { get; init; }
    public string Model { get; init; } = "";
    public IReadOnlyList<ChatChoice> Choices { get; init; } = [];
    public ChatUsage? Usage { get; init; }
    public string? SystemFingerprint { get; init; }
    public string? Provider { get; init; }

    /// <summary>The vendor's own answer when the call passed through (see <see cref="ChatRequest.Native"/>); kept for the cache.</summary>
    public JsonElement? Native { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChatChoice
{
    public int Index { get; init; }
    public ChatMessage Message { get; init; } = new();
    public string? FinishReason { get; init; }
    public JsonElement? Logprobs { get; init; }

    /// <summary>What the vendor adds to a choice, passed on (Azure's <c>content_filter_results</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>One streamed piece in the OpenAI <c>chat.completion.chunk</c> shape.</summary>
public sealed record ChatCompletionChunk
{
    public string Id { get; init; } = "";
    public string Object { get; init; } = "chat.completion.chunk";
    public long Created { get; init; }

    /// <summary>Settable like <see cref="Provider"/>: the front door stamps the model the caller asked for on each chunk.</summary>
    public string Model { get; set; } = "";

    public IReadOnlyList<ChunkChoice> Choices { get; init; } = [];
    public ChatUsage? Usage { get; init; }
    public string? SystemFingerprint { get; init; }

    /// <summary>
    /// Settable, unlike the rest: each chunk belongs to one stream, which stamps it on the way out rather than
    /// cloning every chunk of every stream.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>
    /// The usage a vendor has reported so far in its stream (Anthropic's <c>message_start</c> input tokens, Gemini's
    /// <c>usageMetadata</c> on each frame), for charging a stream that ends before its final usage; never sent on.
    /// </summary>
    [JsonIgnore]
    public ChatUsage? PartialUsage { get; init; }

    /// <summary>The vendor's own stream event this chunk stands for, when the call passed through; kept for the cache.</summary>
    public JsonElement? Native { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChunkChoice
{
    public int Index { get; init; }
    public ChatDelta Delta { get; init; } = new();
    public string? FinishReason { get; init; }
    public JsonElement? Logprobs { get; init; }

    /// <summary>What the vendor adds to a choice, passed on (Azure's <c>content_filter_results</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChatDelta
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? ReasoningContent { get; init; }
    public IReadOnlyList<ChatToolCallDelta>? ToolCalls { get; init; }
    public string? Refusal { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>
/// A call's tokens in OpenAI's shape. <c>prompt_tokens</c> counts every input token, cached or not, and
/// <c>completion_tokens</c> every output token, reasoning included; the details say how many of them were read from
/// (or written to) the vendor's prompt cache and how many were reasoning, each null when the vendor did not say.
/// </summary>
public sealed record ChatUsage
{
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int TotalTokens { get; init; }
    public PromptTokensDetails? PromptTokensDetails { get; init; }
    public CompletionTokensDetails? CompletionTokensDetails { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Prompt tokens read from the vendor's prompt cache (part of <see cref="PromptTokens"/>).</summary>
    [JsonIgnore] public int CachedPromptTokens => PromptTokensDetails?.CachedTokens ?? 0;

    /// <summary>Prompt tokens written to the vendor's prompt cache (part of <see cref="PromptTokens"/>; Anthropic bills them higher).</summary>
    [JsonIgnore] public int CacheWriteTokens => PromptTokensDetails?.CacheWriteTokens ?? 0;

    /// <summary>Reasoning (thinking) tokens (part of <see cref="CompletionTokens"/>).</summary>
    [JsonIgnore] public int ReasoningTokens => CompletionTokensDetails?.ReasoningTokens ?? 0;

    public static ChatUsage Of(int prompt, int completion) =>
        new() { PromptTokens = prompt, CompletionTokens = completion, TotalTokens = prompt + completion };

    /// <summary>With the vendor's breakdown; a figure the vendor does not report stays null and leaves its details out.</summary>
    public static ChatUsage Of(int prompt, int completion, int? cached, int? cacheWrite, int? reasoning) => Of(prompt, completion) with
    {
        PromptTokensDetails = cached is null && cacheWrite is null ? null : new PromptTokensDetails { CachedTokens = cached, CacheWriteTokens = cacheWrite },
        CompletionTokensDetails = reasoning is null ? null : new CompletionTokensDetails { ReasoningTokens = reasoning },
    };
}

/// <summary>OpenAI's <c>prompt_tokens_details</c>; <c>cache_write_tokens</c> is the proxy's addition for vendors that bill cache writes.</summary>
public sealed record PromptTokensDetails
{
    public int? CachedTokens { get; init; }
    public int? CacheWriteTokens { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>OpenAI's <c>completion_tokens_details</c>.</summary>
public sealed record CompletionTokensDetails
{
    public int? ReasoningTokens { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string ContentFilter = "content_filter";
    public const string ToolCalls = "tool_calls";
}
