using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.cohere.com's Chat v2: bearer key, unknown fields refused, roles system/user/assistant/tool,
/// images only for vision models; streams are named SSE events (<c>message-start</c>, <c>content-start</c>,
/// <c>content-delta</c>, <c>content-end</c>, <c>message-end</c> with finish reason, usage and any error). Tools in
/// OpenAI's shape, <c>tool_choice</c> REQUIRED or NONE, assistant <c>tool_calls</c> (with <c>tool_plan</c>) each answered
/// by a <c>tool</c> message; offered tools, it answers a plan and calls, streamed as <c>tool-plan-delta</c> and
/// <c>tool-call-start/-delta/-end</c> events.
/// Embed v2 at <c>/v2/embed</c>: at most 96 texts, <c>input_type</c> required (v3 and later models), vectors by type.
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

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v2/chat", HandleAsync);
        app.MapPost("/v2/embed", HandleEmbeddingsAsync);
    }

    private static readonly HashSet<string> EmbedFields =
        ["model", "texts", "images", "inputs", "input_type", "embedding_types", "output_dimension", "max_tokens", "truncate"];

    private static readonly HashSet<string> InputTypes = ["search_document", "search_query", "classification", "clustering", "image"];
    private static readonly HashSet<string> EmbeddingTypes = ["float", "int8", "uint8", "binary", "ubinary", "base64"];

    protected override void ValidateEmbeddings(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, EmbedFields, name => $"invalid request: unknown field '{name}'");
        if (body["model"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(400, "invalid request: model is required");
        if (body["texts"] is not JsonArray texts || texts.Any(t => t is not JsonValue v || !v.TryGetValue<string>(out _)))
            throw new VendorRejection(400, "invalid request: texts must be an array of strings");
        if (texts.Count > 96) throw new VendorRejection(400, $"invalid request: total number of texts must be at most 96 - received {texts.Count}");
        if (body["input_type"]?.GetValue<string>() is not { } inputType || !InputTypes.Contains(inputType))
            throw new VendorRejection(400, "invalid request: input_type is required for embed models v3 and higher, and must be one of search_document, search_query, classification, clustering, image");
        if (body["embedding_types"] is JsonArray types && types.Any(t => !EmbeddingTypes.Contains(t!.GetValue<string>())))
            throw new VendorRejection(400, "invalid request: unknown embedding type");
    }

    protected override JsonObject Embeddings(HttpContext context, JsonObject body)
    {
        var texts = body["texts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var dimensions = body["output_dimension"]?.GetValue<int>() ?? FakeEmbeddings.DefaultDimensions;
        var types = body["embedding_types"] is JsonArray asked ? asked.Select(t => t!.GetValue<string>()).ToList() : ["float"];
        var embeddings = new JsonObject();
        foreach (var type in types)
            embeddings[type] = type == "float"
                ? new JsonArray([.. texts.Select(t => (JsonNode?)FakeEmbeddings.Array(FakeEmbeddings.Vector(t, dimensions)))])
                : throw new NotSupportedException("The fake answers float embeddings only.");
        return new JsonObject
        {
            ["id"] = "fake-embed-id",
            ["embeddings"] = embeddings,
            ["texts"] = new JsonArray([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["meta"] = new JsonObject
            {
                ["api_version"] = new JsonObject { ["version"] = "2" },
                ["billed_units"] = new JsonObject { ["input_tokens"] = texts.Sum(FakeEmbeddings.Tokens) },
            },
            ["response_type"] = "embeddings_by_type",
        };
    }

    protected override bool IsAuthorized(HttpRequest request) => request.Headers.Authorization.ToString() == "Bearer " + Key;

    protected override JsonObject ErrorBody(int status, string message) => new() { ["id"] = "fake-error-id", ["message"] = message };

    protected override void Validate(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, Fields, name => $"invalid request: unknown field '{name}'");
        if (body["p"]?.GetValue<double>() is < 0.01 or > 0.99) throw new VendorRejection(400, "invalid request: p must be between 0.01 and 0.99");
        var model = body["model"]?.GetValue<string>() ?? throw new VendorRejection(400, "invalid request: model is required");
        if (body["messages"] is not JsonArray { Count: > 0 } messages) throw new VendorRejection(400, "invalid request: messages must not be empty");
        var names = (body["tools"] as JsonArray ?? []).Select((t, i) =>
        {
            if (t!["type"]?.GetValue<string>() != "function" || t["function"]?["name"]?.GetValue<string>() is not { Length: > 0 } name)
                throw new VendorRejection(400, $"invalid request: tools[{i}] must be {{type: function, function: {{name, ...}}}}");
            return name;
        }).ToList();
        if (body["tool_choice"]?.GetValue<string>() is { } choice && (choice is not ("REQUIRED" or "NONE") || names.Count == 0))
            throw new VendorRejection(400, $"invalid request: tool_choice must be REQUIRED or NONE and needs tools; got '{choice}'");
        if (body["response_format"] is JsonObject format && format["type"]?.GetValue<string>() is not ("text" or "json_object"))
            throw new VendorRejection(400, $"invalid request: response_format.type must be one of text, json_object; got '{format["type"]}'");
        var pending = new List<string>();
        foreach (var message in messages)
        {
            var role = message?["role"]?.GetValue<string>();
            if (role is not ("system" or "user" or "assistant" or "tool")) throw new VendorRejection(400, $"invalid request: unknown role '{role}'");
            if (role == "tool")
            {
                if (message!["tool_call_id"]?.GetValue<string>() is not { } answered || !pending.Remove(answered))
                    throw new VendorRejection(400, "invalid request: a tool message must answer a tool call of the preceding assistant message");
            }
            else if (pending.Count > 0) throw new VendorRejection(400, $"invalid request: tool calls without results: {string.Join(", ", pending)}");
            if (message?["tool_calls"] is JsonArray calls)
            {
                if (role != "assistant") throw new VendorRejection(400, "invalid request: only assistant messages have tool_calls");
                foreach (var call in calls)
                {
                    if (call!["id"]?.GetValue<string>() is not { Length: > 0 } id || call["type"]?.GetValue<string>() != "function"
                        || call["function"]?["name"] is null || call["function"]?["arguments"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
                        throw new VendorRejection(400, "invalid request: a tool call needs id, type function, function.name and function.arguments (a string)");
                    pending.Add(id);
                }
            }
            else if (role == "assistant" && message?["content"] is null) throw new VendorRejection(400, "invalid request: an assistant message needs content or tool_calls");
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

    private static bool AsksForJson(JsonObject body) => body["response_format"]?["type"]?.GetValue<string>() == "json_object";

    /// <summary>The plan a tool-calling answer comes with.</summary>
    public const string ToolPlan = "I will look up the weather.";

    private IReadOnlyList<FakeToolCall> Calls(JsonObject body)
    {
        var offered = (body["tools"] as JsonArray)?.Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];
        var answersResults = body["messages"]!.AsArray()[^1]?["role"]?.GetValue<string>() == "tool";
        return ToolCallsFor(offered, null, body["tool_choice"]?.GetValue<string>() == "NONE", answersResults, i => $"get_weather_fake{i}");
    }

    private static JsonObject Call(FakeToolCall call, string arguments) => new()
    {
        ["id"] = call.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = arguments },
    };

    protected override bool IsStreaming(HttpContext context, JsonObject body) => body["stream"]?.GetValue<bool>() == true;

    private JsonObject Usage() => new()
    {
        ["billed_units"] = new JsonObject { ["input_tokens"] = PromptTokens, ["output_tokens"] = CompletionTokens },
        ["tokens"] = new JsonObject { ["input_tokens"] = PromptTokens + 200, ["output_tokens"] = CompletionTokens + 2 },
        ["cached_tokens"] = CachedPromptTokens,
    };

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        var message = calls.Count == 0
            ? new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = AsksForJson(body) ? JsonAnswer : Answer }) }
            : new JsonObject { ["role"] = "assistant", ["tool_plan"] = ToolPlan, ["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode)Call(c, c.Arguments)).ToArray()) };
        return new JsonObject
        {
            ["id"] = "fake-cohere-id",
            ["message"] = message,
            ["finish_reason"] = calls.Count == 0 ? "COMPLETE" : "TOOL_CALL",
            ["usage"] = Usage(),
        };
    }

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
        var start = Event("message-start", new JsonObject
        {
            ["id"] = "fake-cohere-id",
            ["delta"] = new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(), ["tool_plan"] = "", ["tool_calls"] = new JsonArray(), ["citations"] = new JsonArray() } },
        });
        var calls = Calls(body);
        if (calls.Count > 0)
        {
            var events = new List<string> { start };
            foreach (var word in ToolPlan.Split(' ').Select((w, i) => i == 0 ? w : " " + w))
                events.Add(Event("tool-plan-delta", new JsonObject { ["delta"] = new JsonObject { ["message"] = new JsonObject { ["tool_plan"] = word } } }));
            for (var i = 0; i < calls.Count; i++)
            {
                events.Add(Event("tool-call-start", new JsonObject { ["index"] = i, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["tool_calls"] = Call(calls[i], "") } } }));
                foreach (var piece in ArgumentPieces(calls[i].Arguments))
                    events.Add(Event("tool-call-delta", new JsonObject
                    {
                        ["index"] = i, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["tool_calls"] = new JsonObject { ["function"] = new JsonObject { ["arguments"] = piece } } } },
                    }));
                events.Add(Event("tool-call-end", new JsonObject { ["index"] = i }));
            }
            return new StreamScript(events, _ => [], [Event("message-end", End("TOOL_CALL", null))], Event("message-end", End("ERROR", "internal server error while generating")));
        }
        return new StreamScript(
            [
                start,
                Event("content-start", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["content"] = new JsonObject { ["type"] = "text", ["text"] = "" } } } }),
            ],
            piece => [Event("content-delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["message"] = new JsonObject { ["content"] = new JsonObject { ["text"] = piece } } } })],
            [
                Event("content-end", new JsonObject { ["index"] = 0 }),
                Event("message-end", End("COMPLETE", null)),
            ],
            Event("message-end", End("ERROR", "internal server error while generating")),
            AsksForJson(body) ? JsonPieces : null);
    }
}
