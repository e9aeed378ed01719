using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Structured output on Anthropic: a JSON <c>response_format</c> becomes one more tool, named after the schema
/// (<c>json_answer</c> for <c>json_object</c>), whose <c>input_schema</c> is the schema; the model is made to call a
/// tool, and that tool's input is the answer, returned as <c>message.content</c> with <c>finish_reason: "stop"</c>.
/// Forcing a tool works on every Claude model (Anthropic's own structured-output mode needs recent models). With the
/// caller's tools also offered, the model must call one of them or answer through the format tool, which is what
/// OpenAI's tools plus a response format mean; calls go one at a time then, so an answer never comes with calls.
/// </summary>
internal static class AnswerTool
{
    public const string JsonObjectName = "json_answer";
    private static readonly JsonElement AnyObject = JsonDocument.Parse("""{"type":"object"}""").RootElement;

    /// <summary>The format tool's name for this request; null without a JSON response format.</summary>
    public static string? NameFor(ChatRequest request) => request.ResponseFormat?.Type switch
    {
        ResponseFormat.JsonObject => JsonObjectName,
        ResponseFormat.JsonSchemaType => request.ResponseFormat.JsonSchema!.Name,
        _ => null,
    };

    public static (IReadOnlyList<AnthropicTool>? Tools, AnthropicToolChoice? Choice) Add(ChatRequest request, (IReadOnlyList<AnthropicTool>? Tools, AnthropicToolChoice? Choice) offered)
    {
        if (NameFor(request) is not { } name) return offered;
        if (offered.Tools?.Any(t => t.Name == name) == true)
            throw ProxyException.BadRequest($"A function named '{name}' is offered; Anthropic answers a JSON response format through a tool of that name.", "response_format");
        var schema = request.ResponseFormat!.JsonSchema;
        var tool = new AnthropicTool
        {
            Name = name,
            Description = schema?.Description ?? "Give your answer to the user as this tool's input.",
            InputSchema = schema?.Schema is { ValueKind: JsonValueKind.Object } s ? s : AnyObject,
            Strict = schema?.Strict,
        };
        var callerTools = request.Tools is { Count: > 0 };
        AnthropicToolChoice choice = request.ToolChoice switch
        {
            // The caller's choice is about this turn's call; the format applies to the answer that comes later.
            { FunctionName: not null } or { Mode: ToolChoice.Required } when callerTools => offered.Choice!,
            _ when callerTools && request.ToolChoice?.Mode != ToolChoice.None => new AnthropicToolChoice { Type = "any", DisableParallelToolUse = true },
            _ => new AnthropicToolChoice { Type = "tool", Name = name },
        };
        return ([.. offered.Tools ?? [], tool], choice);
    }
}
