using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.anthropic.com's Messages API: <c>x-api-key</c> and <c>anthropic-version</c> required,
/// <c>max_tokens</c> required, unknown fields refused, only <c>user</c>/<c>assistant</c> in <c>messages</c>; streams
/// are named SSE events (<c>message_start</c> ... <c>message_stop</c>, with <c>ping</c>) and errors use its shape.
/// Tools are held to the API's rules: <c>{name, description?, input_schema}</c>, <c>tool_use</c> only in assistant turns
/// and each answered by a <c>tool_result</c> at the head of the next user turn, tool blocks only with tools defined,
/// no empty text blocks. Offered tools, it answers a little text and then <c>tool_use</c>.
/// </summary>
public sealed partial class FakeAnthropicVendor : FakeVendor
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ToolName();

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex ToolUseId();

    private static readonly HashSet<string> ToolFields = ["name", "description", "input_schema", "cache_control", "strict", "type"];

    /// <summary>The text a tool-calling answer starts with, before its tool_use blocks (none when a tool is forced, as the API does).</summary>
    public const string Preamble = "Let me check.";

    public const string Key = "sk-ant-fake-key";

    private static readonly HashSet<string> Fields =
    [
        "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k", "stop_sequences", "stream",
        "metadata", "tools", "tool_choice", "thinking", "service_tier",
    ];

    public override string ProviderName => "anthropic";

    /// <summary>Anthropic's documented tool-use system prompt for current models with <c>tool_choice</c> auto.</summary>
    protected override int HiddenPromptTokens(JsonObject body) => body["tools"] is JsonArray { Count: > 0 } ? 346 : 0;
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
        var tools = ValidateTools(body);
        var pending = new List<string>();
        var toolBlocks = false;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i]!.AsObject();
            var role = message["role"]?.GetValue<string>();
            if (role == "system")
                throw new VendorRejection(400, "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.");
            if (role is not ("user" or "assistant")) throw new VendorRejection(400, $"messages.{i}.role: Input should be 'user' or 'assistant'");
            var blocks = message["content"] as JsonArray ?? [];
            if (pending.Count > 0)
            {
                var answered = blocks.TakeWhile(b => b!["type"]?.GetValue<string>() == "tool_result").Select(b => b!["tool_use_id"]?.GetValue<string>()).ToList();
                var missing = pending.Where(id => !answered.Contains(id)).ToList();
                if (role != "user" || missing.Count > 0)
                    throw new VendorRejection(400, $"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", missing.Count > 0 ? missing : pending)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
                pending.Clear();
            }
            for (var j = 0; j < blocks.Count; j++)
            {
                var block = blocks[j]!.AsObject();
                var type = block["type"]?.GetValue<string>();
                if (type is "tool_use" or "tool_result") toolBlocks = true;
                if (type == "tool_use")
                {
                    if (role != "assistant") throw new VendorRejection(400, $"messages.{i}.content.{j}: tool_use blocks are only allowed in assistant messages");
                    pending.Add(ValidateToolUse(block, $"messages.{i}.content.{j}"));
                }
                else if (type == "tool_result")
                {
                    if (role != "user") throw new VendorRejection(400, $"messages.{i}.content.{j}: tool_result blocks are only allowed in user messages");
                    if (j > 0 && blocks[j - 1]!["type"]?.GetValue<string>() != "tool_result")
                        throw new VendorRejection(400, $"messages.{i}.content.{j}: tool_result blocks must come first in the user message, before any other content");
                    if (block["tool_use_id"]?.GetValue<string>() is not { } id || !ToolUseId().IsMatch(id))
                        throw new VendorRejection(400, $"messages.{i}.content.{j}.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'");
                    if (block["content"] is JsonArray inner) foreach (var part in inner) ValidateBlock(part!.AsObject(), i);
                }
                else if (type is "thinking" or "redacted_thinking")
                {
                    if (role != "assistant") throw new VendorRejection(400, $"messages.{i}.content.{j}: thinking blocks are only allowed in assistant messages");
                    if (block[type == "thinking" ? "signature" : "data"] is null) throw new VendorRejection(400, $"messages.{i}.content.{j}.{type}: signature or data required");
                }
                else ValidateBlock(block, i);
            }
        }
        if (toolBlocks && tools.Count == 0) throw new VendorRejection(400, "Requests which include `tool_use` or `tool_result` blocks must define tools.");
    }

    private static List<string> ValidateTools(JsonObject body)
    {
        var names = new List<string>();
        if (body["tools"] is JsonArray tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i]!.AsObject();
                RefuseUnknownFields(tool, ToolFields, name => $"tools.{i}.custom.{name}: Extra inputs are not permitted");
                var name = tool["name"]?.GetValue<string>();
                if (name is null || !ToolName().IsMatch(name)) throw new VendorRejection(400, $"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'");
                if (tool["input_schema"] is not JsonObject schema) throw new VendorRejection(400, $"tools.{i}.custom.input_schema: Field required");
                if (schema["type"]?.GetValue<string>() != "object") throw new VendorRejection(400, $"tools.{i}.custom.input_schema.type: Input should be 'object'");
                names.Add(name);
            }
        }
        if (body["tool_choice"] is JsonNode choice)
        {
            var type = choice["type"]?.GetValue<string>();
            if (type is not ("auto" or "any" or "tool" or "none")) throw new VendorRejection(400, $"tool_choice.type: Input tag '{type}' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
            if (type == "tool" && (choice["name"]?.GetValue<string>() is not { } name || !names.Contains(name)))
                throw new VendorRejection(400, "tool_choice.tool.name: the named tool is not among the tools");
            if (type == "none" && choice["disable_parallel_tool_use"] is not null)
                throw new VendorRejection(400, "tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted");
            if (names.Count == 0) throw new VendorRejection(400, "tool_choice: tool_choice may only be specified while providing tools.");
        }
        return names;
    }

    private static void ValidateBlock(JsonObject block, int message)
    {
        switch (block["type"]?.GetValue<string>())
        {
            case "text" when block["text"]?.GetValue<string>() is { } text:
                if (text.Length == 0) throw new VendorRejection(400, $"messages.{message}: text content blocks must be non-empty");
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

    private static string ValidateToolUse(JsonObject block, string path)
    {
        if (block["id"]?.GetValue<string>() is not { } id || !ToolUseId().IsMatch(id)) throw new VendorRejection(400, $"{path}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'");
        if (block["name"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(400, $"{path}.tool_use.name: Field required");
        if (block["input"] is not JsonObject) throw new VendorRejection(400, $"{path}.tool_use.input: Input should be a valid dictionary");
        return id;
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    private static string Model(JsonObject body) => body["model"]!.GetValue<string>();

    private IReadOnlyList<FakeToolCall> Calls(JsonObject body)
    {
        var offered = (body["tools"] as JsonArray)?.Select(t => t!["name"]!.GetValue<string>()).ToList() ?? [];
        var choice = body["tool_choice"]?["type"]?.GetValue<string>();
        var forced = choice == "tool" ? body["tool_choice"]!["name"]!.GetValue<string>() : null;
        var last = body["messages"]!.AsArray()[^1]!["content"] as JsonArray;
        var answersResults = last?.Any(b => b!["type"]?.GetValue<string>() == "tool_result") == true;
        return ToolCallsFor(offered, forced, choice == "none", answersResults, i => $"toolu_01Fake{i}");
    }

    /// <summary>The thinking an answer starts with when the request enables extended thinking.</summary>
    public const string Thinking = "The user wants a greeting.";

    private static bool Thinks(JsonObject body) => body["thinking"]?["type"]?.GetValue<string>() == "enabled";

    /// <summary>With <c>any</c> or <c>tool</c> chosen, Claude writes no text before its tool_use blocks.</summary>
    private static bool Forced(JsonObject body) => body["tool_choice"]?["type"]?.GetValue<string>() is "any" or "tool";

    private static JsonObject ToolUse(FakeToolCall call) => new()
    {
        ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.Arguments),
    };

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        var content = calls.Count == 0
            ? Thinks(body)
                ? new JsonArray(new JsonObject { ["type"] = "thinking", ["thinking"] = Thinking, ["signature"] = "fake-signature" }, new JsonObject { ["type"] = "text", ["text"] = Answer })
                : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Answer })
            : Forced(body)
                ? new JsonArray([.. calls.Select(ToolUse)])
                : new JsonArray([new JsonObject { ["type"] = "text", ["text"] = Preamble }, .. calls.Select(ToolUse)]);
        return new JsonObject
        {
            ["id"] = "msg_fake123",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = Model(body),
            ["content"] = content,
            ["stop_reason"] = calls.Count == 0 ? "end_turn" : "tool_use",
            ["stop_sequence"] = null,
            ["usage"] = Usage(CompletionTokens),
        };
    }

    /// <summary>Anthropic's usage: <c>input_tokens</c> leaves out the tokens read from and written to the cache.</summary>
    private JsonObject Usage(int outputTokens) => new()
    {
        ["input_tokens"] = PromptTokens - CachedPromptTokens - CacheWriteTokens,
        ["cache_creation_input_tokens"] = CacheWriteTokens,
        ["cache_read_input_tokens"] = CachedPromptTokens,
        ["output_tokens"] = outputTokens,
    };

    private static string Event(string name, JsonObject data)
    {
        data["type"] = name;
        return Frame(data, name);
    }

    private string MessageStart(JsonObject body) => Event("message_start", new JsonObject
    {
        ["message"] = new JsonObject
        {
            ["id"] = "msg_fake123", ["type"] = "message", ["role"] = "assistant", ["model"] = Model(body), ["content"] = new JsonArray(),
            ["stop_reason"] = null, ["stop_sequence"] = null,
            ["usage"] = Usage(1),
        },
    });

    private static string Error => Event("error", new JsonObject { ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" } });

    private List<string> Ending(string stopReason) =>
    [
        // Two message_delta events with cumulative counts: a reader that adds them would double count.
        Event("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = null, ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = 1 } }),
        Event("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = CompletionTokens } }),
        Event("message_stop", new JsonObject()),
    ];

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        if (calls.Count > 0) return new StreamScript(ToolUseEvents(body, calls), _ => [], Ending("tool_use"), Error);
        var opening = new List<string> { MessageStart(body) };
        var text = 0;
        if (Thinks(body))
        {
            opening.AddRange(
            [
                Event("content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" } }),
                Event("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "thinking_delta", ["thinking"] = Thinking } }),
                Event("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "signature_delta", ["signature"] = "fake-signature" } }),
                Event("content_block_stop", new JsonObject { ["index"] = 0 }),
            ]);
            text = 1;
        }
        opening.Add(Event("content_block_start", new JsonObject { ["index"] = text, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }));
        opening.Add(Event("ping", new JsonObject()));
        return new StreamScript(
            opening,
            piece => [Event("content_block_delta", new JsonObject { ["index"] = text, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } })],
            [Event("content_block_stop", new JsonObject { ["index"] = text }), .. Ending("end_turn")],
            Error);
    }

    /// <summary>A text block, then per call a tool_use block whose input streams as input_json_delta pieces (the first one empty, as the API sends it).</summary>
    private List<string> ToolUseEvents(JsonObject body, IReadOnlyList<FakeToolCall> calls)
    {
        var events = new List<string> { MessageStart(body) };
        var first = 0;
        if (!Forced(body))
        {
            events.AddRange(
            [
                Event("content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }),
                Event("ping", new JsonObject()),
                Event("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = Preamble } }),
                Event("content_block_stop", new JsonObject { ["index"] = 0 }),
            ]);
            first = 1;
        }
        for (var i = 0; i < calls.Count; i++)
        {
            var index = i + first;
            events.Add(Event("content_block_start", new JsonObject
            {
                ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = calls[i].Id, ["name"] = calls[i].Name, ["input"] = new JsonObject() },
            }));
            foreach (var piece in (string[])["", .. ArgumentPieces(calls[i].Arguments)])
                events.Add(Event("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } }));
            events.Add(Event("content_block_stop", new JsonObject { ["index"] = index }));
        }
        return events;
    }
}
