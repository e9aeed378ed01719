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

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChatChoice
{
    public int Index { get; init; }
    public ChatMessage Message { get; init; } = new();
    public string? FinishReason { get; init; }
    public JsonElement? Logprobs { get; init; }
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

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChunkChoice
{
    public int Index { get; init; }
    public ChatDelta Delta { get; init; } = new();
    public string? FinishReason { get; init; }
    public JsonElement? Logprobs { get; init; }
}

public sealed record ChatDelta
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? ReasoningContent { get; init; }
    public JsonElement? ToolCalls { get; init; }
    public string? Refusal { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

public sealed record ChatUsage
{
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int TotalTokens { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    public static ChatUsage Of(int prompt, int completion) =>
        new() { PromptTokens = prompt, CompletionTokens = completion, TotalTokens = prompt + completion };
}

public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string ContentFilter = "content_filter";
    public const string ToolCalls = "tool_calls";
}
