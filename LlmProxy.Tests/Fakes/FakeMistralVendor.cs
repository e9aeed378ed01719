using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.mistral.ai: OpenAI-like, but fields outside Mistral's schema (<c>stream_options</c>,
/// <c>seed</c>, <c>user</c>, ...) get a 422, and the last text chunk of a stream carries finish reason and usage.
/// Tool-call ids are nine letters and digits, any other is refused; its calls come without <c>type</c>, and a streamed
/// answer sends each call whole in the chunk that ends the answer.
/// Embeddings at <c>/v1/embeddings</c> in OpenAI's shape, with Mistral's own field names.
/// </summary>
public sealed partial class FakeMistralVendor : OpenAIStyleFakeVendor
{
    [GeneratedRegex("^[a-zA-Z0-9]{9}$")]
    private static partial Regex CallIdPattern();

    public const string Key = "fake-mistral-key";

    private static readonly HashSet<string> Fields =
    [
        "model", "messages", "temperature", "top_p", "max_tokens", "stream", "stop", "random_seed", "response_format",
        "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n", "prediction", "parallel_tool_calls",
        "prompt_mode", "safe_prompt", "metadata", "reasoning_effort", "guardrails", "prompt_cache_key", "service_tier",
    ];

    public override string ProviderName => "mistral";
    public override string ApiKey => Key;
    public override Uri ProxyBaseUrl => new(RootUrl, "v1/");
    protected override IReadOnlyList<string> ChatPaths => ["/v1/chat/completions"];
    protected override IReadOnlyList<string> EmbeddingPaths => ["/v1/embeddings"];

    private static readonly HashSet<string> EmbeddingFields = ["model", "input", "output_dimension", "output_dtype", "encoding_format", "metadata"];

    /// <summary>Embeddings: OpenAI's shape, but <c>dimensions</c> and <c>user</c> are unknown fields (422), and a request holds at most 16,384 tokens.</summary>
    protected override void ValidateEmbeddings(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, EmbeddingFields, name => name, 422);
        if (body["model"]?.GetValue<string>() is not { Length: > 0 }) throw new VendorRejection(422, "model");
        var tokens = FakeEmbeddings.Texts(body["input"], 512).Sum(FakeEmbeddings.Tokens);
        if (tokens > 16_384) throw new VendorRejection(400, "Too many tokens overall, split into more batches.");
    }

    protected override JsonObject Embeddings(HttpContext context, JsonObject body)
    {
        var list = EmbeddingList(Model(body), FakeEmbeddings.Texts(body["input"], 512), body["output_dimension"]?.GetValue<int>() ?? FakeEmbeddings.DefaultDimensions, false);
        list["id"] = "embd-fake123";
        list["usage"]!["completion_tokens"] = 0;
        return list;
    }

    /// <summary>Mistral's error shape. A 422 is a validation error: the rejection names the field, and the body carries it as a <c>detail</c> list.</summary>
    protected override JsonObject ErrorBody(int status, string message) => new()
    {
        ["object"] = "error",
        ["message"] = status == 422
            ? new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = "extra_forbidden", ["loc"] = new JsonArray("body", message), ["msg"] = "Extra inputs are not permitted" }) }
            : message,
        ["type"] = status == 422 ? "invalid_request_message_error" : "api_error",
        ["param"] = null,
        ["code"] = null,
    };

    protected override void Validate(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, Fields, name => name, 422);
        if (body["messages"] is JsonArray messages && messages.Any(m => m?["role"]?.GetValue<string>() == "developer"))
            throw new VendorRejection(422, "messages");
        base.Validate(context, body);
    }

    protected override IReadOnlyList<string> ToolChoiceModes => ["none", "auto", "any", "required"];

    protected override bool CallsNeedType => false;

    protected override void ValidateToolCallId(string id, string path)
    {
        if (!CallIdPattern().IsMatch(id)) throw new VendorRejection(400, $"Tool call id was {id} but must be a-z, A-Z, 0-9, with a length of 9.");
    }

    protected override string CallId(int index) => $"FakeCall{index}";

    protected override JsonObject Call(FakeToolCall call) => new()
    {
        ["id"] = call.Id, ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
    };

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        if (calls.Count > 0)
        {
            var delta = new JsonObject
            {
                ["content"] = "",
                ["tool_calls"] = new JsonArray(calls.Select((c, i) => { var call = Call(c); call["index"] = i; return (JsonNode)call; }).ToArray()),
            };
            return new([Frame(Chunk(body, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null))], _ => [],
                [Frame(Chunk(body, delta, "tool_calls", Usage())), Done], ErrorFrame("Service unavailable."));
        }
        return new(
            [Frame(Chunk(body, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null))],
            piece => [Frame(Chunk(body, new JsonObject { ["content"] = piece }, null))],
            [Frame(Chunk(body, new JsonObject { ["content"] = "" }, "stop", Usage())), Done],
            ErrorFrame("Service unavailable."),
            AsksForJson(body) ? JsonPieces : null);
    }
}
