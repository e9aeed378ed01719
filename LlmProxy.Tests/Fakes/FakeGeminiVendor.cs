using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for generativelanguage.googleapis.com: <c>x-goog-api-key</c>, <c>models/{model}:generateContent</c>
/// and <c>:streamGenerateContent</c> (SSE only with <c>alt=sse</c>: bare <c>data:</c> frames ending in
/// <c>\r\n\r\n</c>, no <c>[DONE]</c>; a JSON array without it). Only <c>user</c>/<c>model</c> roles, no unknown fields,
/// inline image data as raw base64.
/// </summary>
public sealed class FakeGeminiVendor : FakeVendor
{
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
        app.MapPost("/v1beta/models/{modelAction}", HandleAsync);
        app.MapPost("/v1/models/{modelAction}", HandleAsync);
    }

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
            RefuseUnknownFields(config, ConfigFields, name => $"Invalid JSON payload received. Unknown name \"{name}\" at 'generation_config': Cannot find field.");
        if (body["contents"] is not JsonArray { Count: > 0 } contents) throw new VendorRejection(400, "* GenerateContentRequest.contents: contents is not specified");
        foreach (var content in contents)
        {
            var role = content?["role"]?.GetValue<string>();
            if (role is not (null or "user" or "model")) throw new VendorRejection(400, "Please use a valid role: user, model.");
            if (content?["parts"] is not JsonArray { Count: > 0 } parts) throw new VendorRejection(400, "* GenerateContentRequest.contents.parts: contents.parts must not be empty.");
            foreach (var part in parts)
            {
                if (part?[Get(part.AsObject(), "inlineData", "inline_data")] is JsonObject inline &&
                    inline["data"]?.GetValue<string>() is { } data && !IsBase64(data))
                    throw new VendorRejection(400, "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), Base64 decoding failed");
            }
        }
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

    protected override JsonObject Completion(HttpContext context, JsonObject body)
    {
        var response = Response(Route(context).Model, Answer, "STOP", true, CompletionTokens);
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
        return new StreamScript(
            [],
            piece => [Frame(Response(model, piece, null, StreamUsage, sent += TokensOf(piece)), newline: Newline)],
            [Frame(Response(model, "", "STOP", StreamUsage, CompletionTokens), newline: Newline)],
            Frame(ErrorBody(503, "The model is overloaded. Please try again later."), newline: Newline));
    }
}
