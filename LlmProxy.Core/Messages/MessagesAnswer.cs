using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Messages;

/// <summary>
/// A canonical answer in the shape of Anthropic's Messages API: text and <c>tool_use</c> blocks, its stop reason,
/// and usage with <c>input_tokens</c> apart from the tokens read from and written to the cache, as Anthropic counts.
/// An answer Anthropic itself gave (a passthrough) is its own native message and is never rebuilt here.
/// </summary>
public static class MessagesAnswer
{
    public static JsonObject Message(ChatCompletion completion, string model)
    {
        var choice = completion.Choices.FirstOrDefault();
        var content = new JsonArray();
        if (choice?.Message.Content?.JoinedText() is { Length: > 0 } text) content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        foreach (var call in choice?.Message.ToolCalls ?? []) content.Add(ToolUse(call.Id ?? "", call.Function?.Name ?? "", call.Function?.Arguments));
        return new JsonObject
        {
            ["id"] = completion.Id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = content,
            ["stop_reason"] = StopReason(choice?.FinishReason),
            ["stop_sequence"] = null,
            ["usage"] = Usage(completion.Usage ?? ChatUsage.Of(0, 0)),
        };
    }

    public static JsonObject ToolUse(string id, string name, string? arguments) => new()
    {
        ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = Input(arguments),
    };

    /// <summary>Arguments that are not a JSON object (a vendor gone wrong) travel as <c>{"arguments": text}</c> rather than break the SDK.</summary>
    private static JsonNode Input(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments)) return new JsonObject();
        try
        {
            return JsonNode.Parse(arguments) is JsonObject input ? input : new JsonObject { ["arguments"] = arguments };
        }
        catch (JsonException)
        {
            return new JsonObject { ["arguments"] = arguments };
        }
    }

    public static string StopReason(string? finishReason) => finishReason switch
    {
        FinishReasons.Length => "max_tokens",
        FinishReasons.ToolCalls => "tool_use",
        FinishReasons.ContentFilter => "refusal",
        _ => "end_turn",
    };

    public static JsonObject Usage(ChatUsage usage) => new()
    {
        ["input_tokens"] = Math.Max(0, usage.PromptTokens - usage.CachedPromptTokens - usage.CacheWriteTokens),
        ["cache_creation_input_tokens"] = usage.CacheWriteTokens,
        ["cache_read_input_tokens"] = usage.CachedPromptTokens,
        ["output_tokens"] = usage.CompletionTokens,
    };

    /// <summary>Anthropic's error body, <c>{type: "error", error: {type, message}}</c>, for the proxy's error.</summary>
    public static JsonObject Error(ProxyException error) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = ErrorType(error), ["message"] = error.Message },
    };

    private static string ErrorType(ProxyException error) => error.Status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };
}
