using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.anthropic.com's Messages API: <c>x-api-key</c> and <c>anthropic-version</c> required,
/// <c>max_tokens</c> required, unknown fields refused, only <c>user</c>/<c>assistant</c> in <c>messages</c>; streams
/// are named SSE events (<c>message_start</c> ... <c>message_stop</c>, with <c>ping</c>) and errors use its shape.
/// </summary>
public sealed class FakeAnthropicVendor : FakeVendor
{
    public const string Key = "sk-ant-fake-key";

    private static readonly HashSet<string> Fields =
    [
        "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k", "stop_sequences", "stream",
        "metadata", "tools", "tool_choice", "thinking", "service_tier",
    ];

    public override string ProviderName => "anthropic";
    public override string ApiKey => Key;

    protected override void Map(WebApplication app) => app.MapPost("/v1/messages", HandleAsync);

    /// <summary>The API takes <c>x-api-key</c> (what the proxy sends); the current SDK sends the key as a bearer token.</summary>
    protected override bool IsAuthorized(HttpRequest request) =>
        request.Headers["x-api-key"] == Key || request.Headers.Authorization == "Bearer " + Key;

    protected override JsonObject ErrorBody(int status, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject
        {
            ["type"] = status switch
            {
                401 => "authentication_error", 403 => "permission_error", 404 => "not_found_error", 429 => "rate_limit_error",
                529 => "overloaded_error", >= 500 => "api_error", _ => "invalid_request_error",
            },
            ["message"] = message,
        },
    };

    protected override void Validate(HttpContext context, JsonObject body)
    {
        if (context.Request.Headers["anthropic-version"].Count == 0) throw new VendorRejection(400, "anthropic-version: header is required");
        RefuseUnknownFields(body, Fields, name => $"{name}: Extra inputs are not permitted");
        if (body["model"] is null) throw new VendorRejection(400, "model: Field required");
        if (body["max_tokens"] is null) throw new VendorRejection(400, "max_tokens: Field required");
        if (body["system"] is JsonNode system && system.GetValueKind() != System.Text.Json.JsonValueKind.String && system is not JsonArray)
            throw new VendorRejection(400, "system: Input should be a valid string or list");
        if (body["messages"] is not JsonArray { Count: > 0 } messages) throw new VendorRejection(400, "messages: Field required");
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i]!.AsObject();
            var role = message["role"]?.GetValue<string>();
            if (role == "system")
                throw new VendorRejection(400, "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.");
            if (role is not ("user" or "assistant")) throw new VendorRejection(400, $"messages.{i}.role: Input should be 'user' or 'assistant'");
            if (message["content"] is JsonArray blocks)
                foreach (var block in blocks) ValidateBlock(block!.AsObject(), i);
        }
    }

    private static void ValidateBlock(JsonObject block, int message)
    {
        switch (block["type"]?.GetValue<string>())
        {
            case "text" when block["text"] is not null:
                return;
            case "image":
                var source = block["source"]?.AsObject() ?? throw new VendorRejection(400, $"messages.{message}.content.image.source: Field required");
                var ok = source["type"]?.GetValue<string>() switch
                {
                    "base64" => source["media_type"] is not null && source["data"]?.GetValue<string>() is { } data && !data.StartsWith("data:", StringComparison.Ordinal),
                    "url" => source["url"]?.GetValue<string>()?.StartsWith("http", StringComparison.Ordinal) == true,
                    _ => false,
                };
                if (!ok) throw new VendorRejection(400, $"messages.{message}.content.image.source: invalid image source");
                return;
            default:
                throw new VendorRejection(400, $"messages.{message}.content: Input tag '{block["type"]}' does not match any of the expected tags");
        }
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    private static string Model(JsonObject body) => body["model"]!.GetValue<string>();

    protected override JsonObject Completion(HttpContext context, JsonObject body) => new()
    {
        ["id"] = "msg_fake123",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = Model(body),
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Answer }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = Usage(CompletionTokens),
    };

    /// <summary>Anthropic's usage: <c>input_tokens</c> leaves out the tokens read from and written to the cache.</summary>
    private JsonObject Usage(int outputTokens) => new()
    {
        ["input_tokens"] = PromptTokens - CachedPromptTokens - CacheWriteTokens,
        ["cache_creation_input_tokens"] = CacheWriteTokens,
        ["cache_read_input_tokens"] = CachedPromptTokens,
        ["output_tokens"] = outputTokens,
    };

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        static string Event(string name, JsonObject data)
        {
            data["type"] = name;
            return Frame(data, name);
        }
        var outputSoFar = 1;
        return new StreamScript(
            [
                Event("message_start", new JsonObject
                {
                    ["message"] = new JsonObject
                    {
                        ["id"] = "msg_fake123", ["type"] = "message", ["role"] = "assistant", ["model"] = Model(body), ["content"] = new JsonArray(),
                        ["stop_reason"] = null, ["stop_sequence"] = null,
                        ["usage"] = Usage(1),
                    },
                }),
                Event("content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }),
                Event("ping", new JsonObject()),
            ],
            piece => [Event("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } })],
            [
                Event("content_block_stop", new JsonObject { ["index"] = 0 }),
                // Two message_delta events with cumulative counts: a reader that adds them would double count.
                Event("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = null, ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = outputSoFar } }),
                Event("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = CompletionTokens } }),
                Event("message_stop", new JsonObject()),
            ],
            Event("error", new JsonObject { ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" } }));
    }
}
