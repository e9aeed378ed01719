using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.cohere.com's Chat v2: bearer key, unknown fields refused, roles system/user/assistant/tool,
/// images only for vision models; streams are named SSE events (<c>message-start</c>, <c>content-start</c>,
/// <c>content-delta</c>, <c>content-end</c>, <c>message-end</c> with finish reason, usage and any error).
/// </summary>
public sealed class FakeCohereVendor : FakeVendor
{
    public const string Key = "fake-cohere-key";
    public const string VisionModel = "command-a-vision-07-2025";

    private static readonly HashSet<string> Fields =
    [
        "model", "messages", "stream", "tools", "strict_tools", "documents", "citation_options", "response_format", "safety_mode",
        "max_tokens", "stop_sequences", "temperature", "seed", "frequency_penalty", "presence_penalty", "k", "p", "logprobs",
        "tool_choice", "thinking",
    ];

    public override string ProviderName => "cohere";
    public override string ApiKey => Key;

    protected override void Map(WebApplication app) => app.MapPost("/v2/chat", HandleAsync);

    protected override bool IsAuthorized(HttpRequest request) => request.Headers.Authorization.ToString() == "Bearer " + Key;

    protected override JsonObject ErrorBody(int status, string message) => new() { ["id"] = "fake-error-id", ["message"] = message };

    protected override void Validate(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, Fields, name => $"invalid request: unknown field '{name}'");
        if (body["p"]?.GetValue<double>() is < 0.01 or > 0.99) throw new VendorRejection(400, "invalid request: p must be between 0.01 and 0.99");
        var model = body["model"]?.GetValue<string>() ?? throw new VendorRejection(400, "invalid request: model is required");
        if (body["messages"] is not JsonArray { Count: > 0 } messages) throw new VendorRejection(400, "invalid request: messages must not be empty");
        foreach (var message in messages)
        {
            var role = message?["role"]?.GetValue<string>();
            if (role is not ("system" or "user" or "assistant" or "tool")) throw new VendorRejection(400, $"invalid request: unknown role '{role}'");
            if (message?["content"] is not JsonArray parts) continue;
            foreach (var part in parts)
            {
                var type = part?["type"]?.GetValue<string>();
                if (type == "image_url")
                {
                    if (model != VisionModel) throw new VendorRejection(400, $"invalid request: model '{model}' does not support image inputs");
                    if (part?["image_url"]?["url"] is null) throw new VendorRejection(400, "invalid request: image_url.url is required");
                }
                else if (type != "text") throw new VendorRejection(400, $"invalid request: unknown content type '{type}'");
            }
        }
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    private JsonObject Usage() => new()
    {
        ["billed_units"] = new JsonObject { ["input_tokens"] = PromptTokens, ["output_tokens"] = CompletionTokens },
        ["tokens"] = new JsonObject { ["input_tokens"] = PromptTokens + 200, ["output_tokens"] = CompletionTokens + 2 },
        ["cached_tokens"] = CachedPromptTokens,
    };

    protected override JsonObject Completion(HttpContext context, JsonObject body) => new()
    {
        ["id"] = "fake-cohere-id",
        ["message"] = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Answer }),
        },
        ["finish_reason"] = "COMPLETE",
        ["usage"] = Usage(),
    };

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        static string Event(string name, JsonObject data)
        {
            data["type"] = name;
            return Frame(data, name);
        }
        JsonObject End(string finish, string? error)
        {
            var delta = new JsonObject { ["finish_reason"] = finish, ["usage"] = Usage() };
            if (error is not null) delta["error"] = error;
            return new JsonObject { ["id"] = "fake-cohere-id", ["delta"] = delta };
        }
        return new StreamScript(
            [
                Event("message-start", new JsonObject
                {
                    ["id"] = "fake-cohere-id",
                    ["delta"] = new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(), ["tool_plan"] = "", ["tool_calls"] = new JsonArray(), ["citations"] = new JsonArray() } },
                }),
                Event("content-start", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["content"] = new JsonObject { ["type"] = "text", ["text"] = "" } } } }),
            ],
            piece => [Event("content-delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["content"] = new JsonObject { ["text"] = piece } } } })],
            [
                Event("content-end", new JsonObject { ["index"] = 0 }),
                Event("message-end", End("COMPLETE", null)),
            ],
            Event("message-end", End("ERROR", "internal server error while generating")));
    }
}
