using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// The Chat Completions wire format OpenAI, Mistral and DeepSeek share: bearer key, <c>chat.completion</c> answers,
/// <c>data: {chunk}\n\n</c> stream frames ending in <c>data: [DONE]</c>. Subclasses add where each vendor differs.
/// </summary>
public abstract partial class OpenAIStyleFakeVendor : FakeVendor
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    /// <summary>The <c>tool_choice</c> strings the vendor takes.</summary>
    protected virtual IReadOnlyList<string> ToolChoiceModes => ["none", "auto", "required"];

    /// <summary>Refuses a tool-call id the vendor would not take (Mistral's nine characters).</summary>
    protected virtual void ValidateToolCallId(string id, string path)
    {
    }

    /// <summary>Whether the vendor requires <c>type</c> on an assistant message's tool calls (OpenAI does).</summary>
    protected virtual bool CallsNeedType => true;

    /// <summary>Paths the vendor serves chat completions on.</summary>
    protected abstract IReadOnlyList<string> ChatPaths { get; }

    /// <summary>Paths the vendor serves embeddings on; none for a vendor without embeddings.</summary>
    protected virtual IReadOnlyList<string> EmbeddingPaths => [];

    protected override void Map(WebApplication app)
    {
        foreach (var path in ChatPaths) app.MapPost(path, HandleAsync);
        foreach (var path in EmbeddingPaths) app.MapPost(path, HandleEmbeddingsAsync);
    }

    /// <summary>
    /// The OpenAI embeddings answer: <c>{object: "list", data: [{object: "embedding", index, embedding}], model, usage}</c>,
    /// each vector a JSON array, or the base64 of its little-endian float32 values when asked for.
    /// </summary>
    protected static JsonObject EmbeddingList(string model, IReadOnlyList<string> texts, int dimensions, bool base64)
    {
        var data = new JsonArray();
        for (var i = 0; i < texts.Count; i++)
        {
            var vector = FakeEmbeddings.Vector(texts[i], dimensions);
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()))
                : FakeEmbeddings.Array(vector);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        var tokens = texts.Sum(FakeEmbeddings.Tokens);
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        };
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
        ValidateTools(body);
        var pending = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i]!.AsObject();
            var role = message["role"]?.GetValue<string>();
            if (!Roles.Contains(role)) throw new VendorRejection(400, $"Invalid value for 'messages[{i}].role': '{role}'.");
            if (role == "tool")
            {
                var answered = message["tool_call_id"]?.GetValue<string>();
                if (answered is null || !pending.Remove(answered))
                    throw new VendorRejection(400, $"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (messages[{i}])");
                ValidateToolCallId(answered, $"messages[{i}].tool_call_id");
            }
            else if (pending.Count > 0)
                throw new VendorRejection(400, $"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", pending)}");
            if (message["tool_calls"] is JsonArray calls)
            {
                if (role != "assistant") throw new VendorRejection(400, $"Invalid parameter: 'tool_calls' in messages[{i}] is only allowed for role 'assistant'.");
                for (var j = 0; j < calls.Count; j++) pending.Add(ValidateCall(calls[j]!.AsObject(), $"messages[{i}].tool_calls[{j}]"));
            }
            else if (message["content"] is null && role != "assistant")
                throw new VendorRejection(400, $"Missing required parameter: 'messages[{i}].content'.");
            if (message["content"] is JsonArray parts)
                foreach (var part in parts) ValidatePart(part!.AsObject(), i);
        }
        ValidateResponseFormat(body);
    }

    /// <summary>Refuses a malformed tool list or a <c>tool_choice</c> that does not fit it.</summary>
    private void ValidateTools(JsonObject body)
    {
        var names = new List<string>();
        if (body["tools"] is JsonArray tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i]!.AsObject();
                if (tool["type"]?.GetValue<string>() != "function") throw new VendorRejection(400, $"Invalid value for 'tools[{i}].type': expected 'function'.");
                var name = tool["function"]?["name"]?.GetValue<string>();
                if (name is null || !FunctionName().IsMatch(name)) throw new VendorRejection(400, $"Invalid 'tools[{i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.");
                if (tool["function"]!["parameters"] is JsonNode parameters && parameters.GetValueKind() != JsonValueKind.Object)
                    throw new VendorRejection(400, $"Invalid type for 'tools[{i}].function.parameters': expected an object.");
                names.Add(name);
            }
        }
        switch (body["tool_choice"])
        {
            case null:
                break;
            case JsonValue mode when mode.GetValueKind() == JsonValueKind.String:
                if (!ToolChoiceModes.Contains(mode.GetValue<string>())) throw new VendorRejection(400, $"Invalid value for 'tool_choice': '{mode}'.");
                if (names.Count == 0) throw new VendorRejection(400, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
                break;
            case JsonObject named when (named["type"]?.GetValue<string>() == "function" && named["function"]?["name"]?.GetValue<string>() is { } name):
                if (!names.Contains(name)) throw new VendorRejection(400, $"Invalid value for 'tool_choice': no function named '{name}' was specified in the 'tools' parameter.");
                break;
            default:
                throw new VendorRejection(400, "Invalid value for 'tool_choice'.");
        }
    }

    private string ValidateCall(JsonObject call, string path)
    {
        var id = call["id"]?.GetValue<string>() ?? throw new VendorRejection(400, $"Missing required parameter: '{path}.id'.");
        ValidateToolCallId(id, $"{path}.id");
        if (CallsNeedType && call["type"]?.GetValue<string>() != "function") throw new VendorRejection(400, $"Missing required parameter: '{path}.type'.");
        if (call["function"]?["name"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(400, $"Missing required parameter: '{path}.function.name'.");
        if (call["function"]!["arguments"] is not JsonValue arguments || arguments.GetValueKind() != JsonValueKind.String)
            throw new VendorRejection(400, $"Invalid type for '{path}.function.arguments': expected a string.");
        return id;
    }

    /// <summary>The <c>response_format</c> types the vendor takes.</summary>
    protected virtual IReadOnlyList<string> ResponseFormats => ["text", "json_object", "json_schema"];

    private void ValidateResponseFormat(JsonObject body)
    {
        if (body["response_format"] is not JsonObject format) return;
        var type = format["type"]?.GetValue<string>();
        if (type is null || !ResponseFormats.Contains(type)) throw new VendorRejection(400, $"Invalid value for 'response_format.type': '{type}'.");
        if (type == "json_schema" && format["json_schema"]?["name"] is null) throw new VendorRejection(400, "Missing required parameter: 'response_format.json_schema.name'.");
    }

    protected virtual void ValidatePart(JsonObject part, int message)
    {
        var type = part["type"]?.GetValue<string>();
        if (type is not ("text" or "image_url")) throw new VendorRejection(400, $"Invalid content part type '{type}' in messages[{message}].");
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    protected override int? SentBudget(JsonObject body) => (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();

    protected static string Model(JsonObject body) => body["model"]!.GetValue<string>();

    protected virtual JsonObject Usage() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = PromptTokens + CompletionTokens,
    };

    protected virtual JsonObject Message(JsonObject body) => new() { ["role"] = "assistant", ["content"] = AsksForJson(body) ? JsonAnswer : Answer };

    protected static bool AsksForJson(JsonObject body) => body["response_format"]?["type"]?.GetValue<string>() is "json_object" or "json_schema";

    /// <summary>The calls this request gets (none unless it offers tools; see <see cref="FakeVendor.ToolCallsFor"/>).</summary>
    protected IReadOnlyList<FakeToolCall> Calls(JsonObject body)
    {
        var offered = (body["tools"] as JsonArray)?.Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];
        var choice = body["tool_choice"];
        var forced = choice is JsonObject ? choice["function"]?["name"]?.GetValue<string>() : null;
        var none = choice is JsonValue mode && mode.GetValue<string>() == "none";
        var answersResults = body["messages"]!.AsArray()[^1]?["role"]?.GetValue<string>() == "tool";
        return ToolCallsFor(offered, forced, none, answersResults, CallId);
    }

    /// <summary>The vendor's style of tool-call id.</summary>
    protected virtual string CallId(int index) => $"call_fake{index}";

    /// <summary>A call as the vendor writes it in an answer (OpenAI: with <c>type</c>).</summary>
    protected virtual JsonObject Call(FakeToolCall call) => new()
    {
        ["id"] = call.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
    };

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        var message = calls.Count == 0 ? Message(body) : new JsonObject
        {
            ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode)Call(c)).ToArray()),
        };
        return new JsonObject
        {
            ["id"] = "chatcmpl-fake123",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = Model(body),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = calls.Count == 0 ? "stop" : "tool_calls",
            }),
            ["usage"] = Usage(),
        };
    }

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
        var calls = Calls(body);
        var closing = new List<string> { Frame(Chunk(body, new JsonObject(), calls.Count == 0 ? "stop" : "tool_calls")) };
        if (includeUsage) closing.Add(Frame(Chunk(body, null, null, Usage())));
        closing.Add(Done);
        if (calls.Count > 0) return new StreamScript(ToolCallFrames(body, calls), _ => [], closing, ErrorFrame("The server had an error while processing your request."));
        return new StreamScript(
            [Frame(Chunk(body, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null))],
            piece => [Frame(Chunk(body, new JsonObject { ["content"] = piece }, null))],
            closing,
            ErrorFrame("The server had an error while processing your request."),
            AsksForJson(body) ? JsonPieces : null);
    }

    /// <summary>
    /// OpenAI streams a call as fragments: the first with role, null content and the call's index, id, type and name
    /// with empty arguments; then the arguments in pieces under the same index.
    /// </summary>
    protected List<string> ToolCallFrames(JsonObject body, IReadOnlyList<FakeToolCall> calls)
    {
        var frames = new List<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var start = new JsonObject { ["index"] = i, ["id"] = calls[i].Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = calls[i].Name, ["arguments"] = "" } };
            var delta = new JsonObject { ["tool_calls"] = new JsonArray(start) };
            if (i == 0)
            {
                delta.Insert(0, "role", "assistant");
                delta.Insert(1, "content", null);
            }
            frames.Add(Frame(Chunk(body, delta, null)));
            foreach (var piece in ArgumentPieces(calls[i].Arguments))
                frames.Add(Frame(Chunk(body, new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = i, ["function"] = new JsonObject { ["arguments"] = piece } }) }, null)));
        }
        return frames;
    }
}
