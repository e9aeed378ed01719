using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for generativelanguage.googleapis.com: <c>x-goog-api-key</c>, <c>models/{model}:generateContent</c>
/// and <c>:streamGenerateContent</c> (SSE only with <c>alt=sse</c>: bare <c>data:</c> frames ending in
/// <c>\r\n\r\n</c>, no <c>[DONE]</c>; a JSON array without it). Only <c>user</c>/<c>model</c> roles, no unknown fields,
/// inline image data as raw base64. Tools as Gemini holds them: <c>functionDeclarations</c> whose schemas take only the
/// OpenAPI subset's keys (any other key is "Unknown name", as the API answers), <c>functionCallingConfig</c> modes,
/// <c>functionCall</c> parts only in model turns and answered by as many <c>functionResponse</c> parts, naming the same
/// functions in the same order, in the next turn. Offered tools, it answers <c>functionCall</c> parts without ids.
/// </summary>
public sealed partial class FakeGeminiVendor : FakeVendor
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")]
    private static partial Regex FunctionName();

    private static readonly HashSet<string> SchemaFields =
    [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ];

    public const string Key = "fake-gemini-key";
    private const string Newline = "\r\n";

    private static readonly HashSet<string> Fields =
        ["contents", "systemInstruction", "system_instruction", "generationConfig", "generation_config", "safetySettings", "safety_settings", "tools", "toolConfig", "tool_config", "cachedContent", "cached_content"];

    private static readonly HashSet<string> ConfigFields =
    [
        "temperature", "topP", "top_p", "topK", "top_k", "maxOutputTokens", "max_output_tokens", "stopSequences", "stop_sequences",
        "candidateCount", "candidate_count", "seed", "presencePenalty", "presence_penalty", "frequencyPenalty", "frequency_penalty",
        "responseMimeType", "response_mime_type", "responseSchema", "response_schema", "thinkingConfig", "thinking_config",
    ];

    public override string ProviderName => "gemini";

    protected override int? SentBudget(JsonObject body) =>
        body[Get(body, "generationConfig", "generation_config")]?["maxOutputTokens"]?.GetValue<int>()
        ?? body[Get(body, "generationConfig", "generation_config")]?["max_output_tokens"]?.GetValue<int>();
    public override string ApiKey => Key;

    /// <summary>The proxy calls <c>v1beta</c>; the current SDK calls <c>v1</c>. Both serve the same format.</summary>
    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1beta/models/{modelAction}", Dispatch);
        app.MapPost("/v1/models/{modelAction}", Dispatch);
    }

    private Task Dispatch(HttpContext context) =>
        Route(context).Action == "batchEmbedContents" ? HandleEmbeddingsAsync(context) : HandleAsync(context);

    private static readonly HashSet<string> EmbedFields = ["model", "content", "taskType", "task_type", "title", "outputDimensionality", "output_dimensionality"];
    private static readonly HashSet<string> TaskTypes =
        ["TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"];

    /// <summary>batchEmbedContents: at most 100 requests, each naming the model of the URL as <c>models/{model}</c>.</summary>
    protected override void ValidateEmbeddings(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, ["requests"], name => $"Invalid JSON payload received. Unknown name \"{name}\": Cannot find field.");
        if (body["requests"] is not JsonArray { Count: > 0 } requests) throw new VendorRejection(400, "* BatchEmbedContentsRequest.requests: requests is not specified");
        if (requests.Count > 100) throw new VendorRejection(400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch");
        var model = "models/" + Route(context).Model;
        foreach (var request in requests)
        {
            var fields = request!.AsObject();
            RefuseUnknownFields(fields, EmbedFields, name => $"Invalid JSON payload received. Unknown name \"{name}\" at 'requests[0]': Cannot find field.");
            if (fields["model"]?.GetValue<string>() != model)
                throw new VendorRejection(400, $"Model name in the request does not match the model of the batch: {fields["model"]} vs {model}.");
            if (fields["content"]?["parts"] is not JsonArray { Count: > 0 } parts || parts.Any(p => p?["text"] is null))
                throw new VendorRejection(400, "* BatchEmbedContentsRequest.requests[0].content.parts: contents.parts must not be empty.");
            if (fields[Get(fields, "taskType", "task_type")]?.GetValue<string>() is { } task && !TaskTypes.Contains(task))
                throw new VendorRejection(400, $"Invalid value at 'requests[0].task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), \"{task}\"");
        }
    }

    protected override JsonObject Embeddings(HttpContext context, JsonObject body) => new()
    {
        ["embeddings"] = new JsonArray([.. body["requests"]!.AsArray().Select(request =>
        {
            var text = string.Concat(request!["content"]!["parts"]!.AsArray().Select(p => p!["text"]!.GetValue<string>()));
            var dimensions = request[Get(request.AsObject(), "outputDimensionality", "output_dimensionality")]?.GetValue<int>() ?? FakeEmbeddings.DefaultDimensions;
            return (JsonNode?)new JsonObject { ["values"] = FakeEmbeddings.Array(FakeEmbeddings.Vector(text, dimensions)) };
        })]),
    };

    protected override bool IsAuthorized(HttpRequest request) =>
        request.Headers["x-goog-api-key"] == Key || request.Query["key"] == Key;

    /// <summary>Google's error shape; a 429 says when to retry in <c>details[].retryDelay</c>, not in a header.</summary>
    protected override JsonObject ErrorBody(int status, string message)
    {
        var error = new JsonObject
        {
            ["code"] = status,
            ["message"] = message,
            ["status"] = status switch
            {
                400 => "INVALID_ARGUMENT", 401 => "UNAUTHENTICATED", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND",
                429 => "RESOURCE_EXHAUSTED", 503 => "UNAVAILABLE", 504 => "DEADLINE_EXCEEDED", _ => "INTERNAL",
            },
        };
        if (status == 429)
            error["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.RetryInfo", ["retryDelay"] = RetryDelay });
        return new JsonObject { ["error"] = error };
    }

    /// <summary>What a 429 body says about retrying.</summary>
    public string RetryDelay { get; set; } = "8.5s";

    private static (string Model, string Action) Route(HttpContext context)
    {
        var value = (string)context.Request.RouteValues["modelAction"]!;
        var colon = value.LastIndexOf(':');
        return colon < 0 ? (value, "") : (value[..colon], value[(colon + 1)..]);
    }

    private static string Get(JsonObject o, string camel, string snake) => o[camel] is not null ? camel : snake;

    protected override void Validate(HttpContext context, JsonObject body)
    {
        if (Route(context).Action is not ("generateContent" or "streamGenerateContent"))
            throw new VendorRejection(404, "The requested URL was not found on this server.");
        RefuseUnknownFields(body, Fields, name => $"Invalid JSON payload received. Unknown name \"{name}\": Cannot find field.");
        if (body[Get(body, "generationConfig", "generation_config")] is JsonObject config)
        {
            RefuseUnknownFields(config, ConfigFields, name => $"Invalid JSON payload received. Unknown name \"{name}\" at 'generation_config': Cannot find field.");
            if (config["responseSchema"] is JsonObject schema)
            {
                if (config["responseMimeType"]?.GetValue<string>() != "application/json")
                    throw new VendorRejection(400, "* GenerateContentRequest.generation_config.response_mime_type: response_schema needs response_mime_type application/json.");
                ValidateSchema(schema, "generation_config.response_schema");
            }
        }
        if (body["contents"] is not JsonArray { Count: > 0 } contents) throw new VendorRejection(400, "* GenerateContentRequest.contents: contents is not specified");
        ValidateTools(body);
        List<string>? pending = null;
        for (var c = 0; c < contents.Count; c++)
        {
            var content = contents[c];
            var role = content?["role"]?.GetValue<string>();
            if (role is not (null or "user" or "model")) throw new VendorRejection(400, "Please use a valid role: user, model.");
            if (content?["parts"] is not JsonArray { Count: > 0 } parts) throw new VendorRejection(400, "* GenerateContentRequest.contents.parts: contents.parts must not be empty.");
            var responses = parts.Select(p => p?[Get(p.AsObject(), "functionResponse", "function_response")]).Where(r => r is not null).ToList();
            if (pending is not null)
            {
                if (responses.Count != pending.Count)
                    throw new VendorRejection(400, "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
                if (!responses.Select(r => r!["name"]?.GetValue<string>()).SequenceEqual(pending))
                    throw new VendorRejection(400, "Please ensure that function response turn comes immediately after a function call turn, naming the same functions in order.");
                pending = null;
            }
            else if (responses.Count > 0)
                throw new VendorRejection(400, "Please ensure that function response turn comes immediately after a function call turn.");
            foreach (var response in responses)
                if (response!["response"] is not JsonObject) throw new VendorRejection(400, $"Invalid value at 'contents[{c}].parts.function_response.response' (type.googleapis.com/google.protobuf.Struct), expected an object");
            var calls = parts.Select(p => p?[Get(p.AsObject(), "functionCall", "function_call")]).Where(f => f is not null).ToList();
            if (calls.Count > 0)
            {
                if (role != "model") throw new VendorRejection(400, "Please ensure that function call turn comes immediately after a user turn or after a function response turn.");
                foreach (var call in calls)
                {
                    if (call!["name"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(400, $"* GenerateContentRequest.contents[{c}].parts.function_call.name: Name is required.");
                    if (call["args"] is JsonNode args && args is not JsonObject) throw new VendorRejection(400, $"Invalid value at 'contents[{c}].parts.function_call.args' (type.googleapis.com/google.protobuf.Struct)");
                }
                pending = calls.Select(f => f!["name"]!.GetValue<string>()).ToList();
            }
            foreach (var part in parts)
            {
                if (part?[Get(part.AsObject(), "inlineData", "inline_data")] is JsonObject inline &&
                    inline["data"]?.GetValue<string>() is { } data && !IsBase64(data))
                    throw new VendorRejection(400, "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), Base64 decoding failed");
            }
        }
    }

    /// <summary>The declared function names; a schema key outside the OpenAPI subset is refused as the API does.</summary>
    private static HashSet<string> ValidateTools(JsonObject body)
    {
        var names = new HashSet<string>();
        if (body["tools"] is JsonArray tools)
        {
            for (var t = 0; t < tools.Count; t++)
            {
                RefuseUnknownFields(tools[t]!.AsObject(), ["functionDeclarations", "function_declarations", "googleSearch", "codeExecution"],
                    name => $"Invalid JSON payload received. Unknown name \"{name}\" at 'tools[{t}]': Cannot find field.");
                if (tools[t]![Get(tools[t]!.AsObject(), "functionDeclarations", "function_declarations")] is not JsonArray declarations) continue;
                for (var d = 0; d < declarations.Count; d++)
                {
                    var declaration = declarations[d]!.AsObject();
                    RefuseUnknownFields(declaration, ["name", "description", "parameters", "parametersJsonSchema", "response", "behavior"],
                        name => $"Invalid JSON payload received. Unknown name \"{name}\" at 'tools[{t}].function_declarations[{d}]': Cannot find field.");
                    var name = declaration["name"]?.GetValue<string>();
                    if (name is null || !FunctionName().IsMatch(name)) throw new VendorRejection(400, $"* GenerateContentRequest.tools[{t}].function_declarations[{d}].name: Invalid function name.");
                    if (declaration["parameters"] is JsonObject parameters) ValidateSchema(parameters, $"tools[{t}].function_declarations[{d}].parameters");
                    names.Add(name);
                }
            }
        }
        if (body[Get(body, "toolConfig", "tool_config")]?[ "functionCallingConfig"] is JsonObject config)
        {
            var mode = config["mode"]?.GetValue<string>();
            if (mode is not ("AUTO" or "ANY" or "NONE" or "VALIDATED")) throw new VendorRejection(400, $"Invalid value at 'tool_config.function_calling_config.mode' ({mode})");
            if (config["allowedFunctionNames"] is JsonArray allowed)
            {
                if (mode != "ANY") throw new VendorRejection(400, "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: only allowed in ANY mode.");
                if (allowed.Any(a => !names.Contains(a!.GetValue<string>()))) throw new VendorRejection(400, "* allowed_function_names must name declared functions.");
            }
        }
        return names;
    }

    private static void ValidateSchema(JsonObject schema, string path)
    {
        RefuseUnknownFields(schema, SchemaFields, name => $"Invalid JSON payload received. Unknown name \"{name}\" at '{path}': Cannot find field.");
        if (schema["type"] is JsonNode type && type.GetValueKind() != JsonValueKind.String) throw new VendorRejection(400, $"Invalid value at '{path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type)");
        if (schema["properties"] is JsonObject properties) foreach (var (name, property) in properties) ValidateSchema(property!.AsObject(), $"{path}.properties[{name}].value");
        if (schema["items"] is JsonObject items) ValidateSchema(items, $"{path}.items");
        if (schema["anyOf"] is JsonArray anyOf) for (var i = 0; i < anyOf.Count; i++) ValidateSchema(anyOf[i]!.AsObject(), $"{path}.any_of[{i}]");
    }

    private static bool IsBase64(string data)
    {
        try { Convert.FromBase64String(data); return true; }
        catch (FormatException) { return false; }
    }

    protected override bool IsStreaming(HttpContext context, JsonObject body) => Route(context).Action == "streamGenerateContent";

    private JsonObject Response(string model, string text, string? finishReason, bool withUsage, int completionSoFar)
    {
        var candidate = new JsonObject
        {
            ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }), ["role"] = "model" },
            ["index"] = 0,
        };
        if (finishReason is not null) candidate["finishReason"] = finishReason;
        var response = new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            // Gemini's promptTokenCount includes the cached tokens; thoughts are counted apart from the candidates.
            ["usageMetadata"] = new JsonObject
            {
                ["promptTokenCount"] = PromptTokens,
                ["candidatesTokenCount"] = Math.Max(0, completionSoFar - ReasoningTokens),
                ["totalTokenCount"] = PromptTokens + completionSoFar,
            },
            ["modelVersion"] = model,
            ["responseId"] = "fake-gemini-response",
        };
        if (CachedPromptTokens > 0) response["usageMetadata"]!["cachedContentTokenCount"] = CachedPromptTokens;
        if (ReasoningTokens > 0) response["usageMetadata"]!["thoughtsTokenCount"] = ReasoningTokens;
        if (!withUsage) response.Remove("usageMetadata");
        return response;
    }

    public const string Thought = "Let me think.";

    /// <summary>When false, stream frames carry no <c>usageMetadata</c> (it is optional on each frame).</summary>
    public bool StreamUsage { get; set; } = true;

    private IReadOnlyList<FakeToolCall> Calls(JsonObject body)
    {
        var offered = (body["tools"] as JsonArray)?.SelectMany(t => t![Get(t.AsObject(), "functionDeclarations", "function_declarations")]?.AsArray() ?? [])
            .Select(d => d!["name"]!.GetValue<string>()).ToList() ?? [];
        var config = body[Get(body, "toolConfig", "tool_config")]?["functionCallingConfig"];
        var forced = (config?["allowedFunctionNames"] as JsonArray)?.FirstOrDefault()?.GetValue<string>();
        var last = body["contents"]!.AsArray()[^1]!["parts"]!.AsArray();
        var answersResults = last.Any(p => p?["functionResponse"] is not null);
        return ToolCallsFor(offered, forced, config?["mode"]?.GetValue<string>() == "NONE", answersResults, _ => "");
    }

    /// <summary>A response whose candidate holds function calls (no ids, as the API answers them).</summary>
    private JsonObject CallResponse(string model, IReadOnlyList<FakeToolCall> calls, string? finishReason, bool withUsage)
    {
        var response = Response(model, "", finishReason, withUsage, CompletionTokens);
        response["candidates"]![0]!["content"]!["parts"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
        {
            ["functionCall"] = new JsonObject { ["name"] = c.Name, ["args"] = JsonNode.Parse(c.Arguments) },
        }).ToArray());
        return response;
    }

    private static bool AsksForJson(JsonObject body) =>
        body[Get(body, "generationConfig", "generation_config")]?["responseMimeType"]?.GetValue<string>() == "application/json";

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        if (Calls(body) is { Count: > 0 } calls) return CallResponse(Route(context).Model, calls, "STOP", true);
        var response = Response(Route(context).Model, AsksForJson(body) ? JsonAnswer : Answer, "STOP", true, CompletionTokens);
        // A thinking model (reasoning tokens reported): a thought part before the text.
        if (ReasoningTokens > 0)
            response["candidates"]![0]!["content"]!["parts"]!.AsArray().Insert(0, new JsonObject { ["text"] = Thought, ["thought"] = true });
        return response;
    }

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var model = Route(context).Model;
        var sse = context.Request.Query["alt"] == "sse";
        if (!sse) throw new InvalidOperationException("The fake answers streams only with alt=sse, as the proxy asks.");
        var sent = 0;
        if (Calls(body) is { Count: > 0 } calls)
            return new StreamScript([Frame(CallResponse(model, calls, null, StreamUsage), newline: Newline)], _ => [],
                [Frame(Response(model, "", "STOP", StreamUsage, CompletionTokens), newline: Newline)],
                Frame(ErrorBody(503, "The model is overloaded. Please try again later."), newline: Newline));
        return new StreamScript(
            [],
            piece => [Frame(Response(model, piece, null, StreamUsage, sent += TokensOf(piece)), newline: Newline)],
            [Frame(Response(model, "", "STOP", StreamUsage, CompletionTokens), newline: Newline)],
            Frame(ErrorBody(503, "The model is overloaded. Please try again later."), newline: Newline),
            AsksForJson(body) ? JsonPieces : null);
    }
}
