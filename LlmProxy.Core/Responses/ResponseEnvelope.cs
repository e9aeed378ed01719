using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Responses;

/// <summary>
/// The <c>response</c> object around one call's output: its id and creation time, and the request's settings echoed
/// as OpenAI echoes them (the model as the caller named it, instructions, tools, <c>text.format</c>, ...). The same
/// envelope wraps the whole answer and every lifecycle event of a stream, so they agree on id and settings.
/// </summary>
public sealed class ResponseEnvelope(JsonObject request, string id, DateTimeOffset createdAt)
{
    public string Id => id;

    /// <summary>A new item id with OpenAI's prefix (<c>msg</c>, <c>fc</c>); ids are unique per response, not derived from the vendor's.</summary>
    public static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    public JsonObject Build(string status, JsonArray output, ChatUsage? usage, JsonObject? error = null, string? incompleteReason = null) => new()
    {
        ["id"] = id,
        ["object"] = "response",
        ["created_at"] = createdAt.ToUnixTimeSeconds(),
        ["status"] = status,
        ["error"] = error,
        ["incomplete_details"] = incompleteReason is null ? null : new JsonObject { ["reason"] = incompleteReason },
        ["instructions"] = Echo("instructions"),
        ["max_output_tokens"] = Echo("max_output_tokens"),
        ["metadata"] = Echo("metadata") ?? new JsonObject(),
        ["model"] = Echo("model"),
        ["output"] = output,
        ["parallel_tool_calls"] = Echo("parallel_tool_calls") ?? true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = null, ["summary"] = null },
        // Nothing is kept: a client must not expect to fetch or continue this response by its id.
        ["store"] = false,
        ["temperature"] = Echo("temperature"),
        ["text"] = new JsonObject { ["format"] = Echo("text")?["format"]?.DeepClone() ?? new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = Echo("tool_choice") ?? "auto",
        ["tools"] = Echo("tools") ?? new JsonArray(),
        ["top_p"] = Echo("top_p"),
        ["truncation"] = "disabled",
        ["usage"] = usage is null ? null : Usage(usage),
        ["user"] = Echo("user"),
    };

    private JsonNode? Echo(string name) => request[name]?.DeepClone();

    public static JsonObject Usage(ChatUsage usage) => new()
    {
        ["input_tokens"] = usage.PromptTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedPromptTokens },
        ["output_tokens"] = usage.CompletionTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = usage.ReasoningTokens },
        ["total_tokens"] = usage.PromptTokens + usage.CompletionTokens,
    };

    /// <summary>The <c>error</c> of a failed response: the proxy's error type as the code.</summary>
    public static JsonObject Error(ProxyException error) => new() { ["code"] = error.Type, ["message"] = error.Message };

    /// <summary>Why a response stopped short, from the canonical finish reason; null when it completed.</summary>
    public static string? IncompleteReason(string? finishReason) => finishReason switch
    {
        FinishReasons.Length => "max_output_tokens",
        FinishReasons.ContentFilter => "content_filter",
        _ => null,
    };
}
