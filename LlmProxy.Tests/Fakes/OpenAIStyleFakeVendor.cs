using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// The Chat Completions wire format OpenAI, Mistral and DeepSeek share: bearer key, <c>chat.completion</c> answers,
/// <c>data: {chunk}\n\n</c> stream frames ending in <c>data: [DONE]</c>. Subclasses add where each vendor differs.
/// </summary>
public abstract class OpenAIStyleFakeVendor : FakeVendor
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    /// <summary>Paths the vendor serves chat completions on.</summary>
    protected abstract IReadOnlyList<string> ChatPaths { get; }

    protected override void Map(WebApplication app)
    {
        foreach (var path in ChatPaths) app.MapPost(path, HandleAsync);
    }

    protected override bool IsAuthorized(HttpRequest request) => request.Headers.Authorization.ToString() == "Bearer " + ApiKey;

    public const string RequestId = "req_fake0123456789";

    protected override (string Name, string Value)? RequestIdHeader => ("x-request-id", RequestId);

    /// <summary>The <c>code</c> and <c>param</c> of the error bodies of <see cref="FakeVendor.Failure"/> (OpenAI names both, e.g. <c>context_length_exceeded</c> on <c>messages</c>).</summary>
    public (string? Code, string? Param) FailureDetail { get; set; }

    protected override JsonObject ErrorBody(int status, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = status switch { 401 => "invalid_request_error", 429 => "requests", >= 500 => "server_error", _ => "invalid_request_error" },
            ["param"] = FailureDetail.Param,
            ["code"] = status == 401 ? "invalid_api_key" : FailureDetail.Code,
        },
    };

    protected override void Validate(HttpContext context, JsonObject body)
    {
        if (body["model"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(400, "you must provide a model parameter");
        if (body["messages"] is not JsonArray { Count: > 0 } messages) throw new VendorRejection(400, "'messages' must be a non-empty array");
        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i]?["role"]?.GetValue<string>();
            if (!Roles.Contains(role)) throw new VendorRejection(400, $"Invalid value for 'messages[{i}].role': '{role}'.");
            if (messages[i]?["content"] is JsonArray parts)
                foreach (var part in parts) ValidatePart(part!.AsObject(), i);
        }
    }

    protected virtual void ValidatePart(JsonObject part, int message)
    {
        var type = part["type"]?.GetValue<string>();
        if (type is not ("text" or "image_url")) throw new VendorRejection(400, $"Invalid content part type '{type}' in messages[{message}].");
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    protected static string Model(JsonObject body) => body["model"]!.GetValue<string>();

    protected virtual JsonObject Usage() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = PromptTokens + CompletionTokens,
    };

    protected virtual JsonObject Message(JsonObject body) => new() { ["role"] = "assistant", ["content"] = Answer };

    protected override JsonObject Completion(HttpContext context, JsonObject body) => new()
    {
        ["id"] = "chatcmpl-fake123",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = Model(body),
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = Message(body),
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(),
    };

    protected static JsonObject Chunk(JsonObject body, JsonObject? delta, string? finishReason, JsonObject? usage = null)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake123",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = Model(body),
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason,
            }),
        };
        if (usage is not null) chunk["usage"] = usage;
        return chunk;
    }

    protected const string Done = "data: [DONE]\n\n";

    protected static string ErrorFrame(string message) =>
        Frame(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error", ["param"] = null, ["code"] = null } });

    /// <summary>OpenAI's stream: role chunk, text chunks, finish chunk, the usage chunk when asked for, [DONE].</summary>
    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var closing = new List<string> { Frame(Chunk(body, new JsonObject(), "stop")) };
        if (includeUsage) closing.Add(Frame(Chunk(body, null, null, Usage())));
        closing.Add(Done);
        return new StreamScript(
            [Frame(Chunk(body, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null))],
            piece => [Frame(Chunk(body, new JsonObject { ["content"] = piece }, null))],
            closing,
            ErrorFrame("The server had an error while processing your request."));
    }
}
