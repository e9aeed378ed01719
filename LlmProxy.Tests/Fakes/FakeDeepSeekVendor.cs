using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.deepseek.com: OpenAI-compatible at the root and under <c>/v1</c>, text-only content (an
/// image part fails to deserialize, as on the real API), <c>: keep-alive</c> comment lines in streams, and
/// <c>reasoning_content</c> before the answer for <c>deepseek-reasoner</c>.
/// </summary>
public sealed class FakeDeepSeekVendor : OpenAIStyleFakeVendor
{
    public const string Key = "sk-fake-deepseek-key";
    public const string Reasoning = "Thinking it over.";
    private const string KeepAlive = ": keep-alive\n\n";

    public override string ProviderName => "deepseek";
    public override string ApiKey => Key;
    protected override IReadOnlyList<string> ChatPaths => ["/chat/completions", "/v1/chat/completions"];

    protected override void ValidatePart(JsonObject part, int message)
    {
        var type = part["type"]?.GetValue<string>();
        if (type != "text")
            throw new VendorRejection(400, $"Failed to deserialize the JSON body into the target type: messages[{message}]: unknown variant `{type}`, expected `text`");
    }

    private static bool Reasons(JsonObject body) => Model(body) == "deepseek-reasoner";

    protected override JsonObject Usage()
    {
        var usage = base.Usage();
        // DeepSeek's own cache fields (hit + miss = prompt_tokens); reasoning in OpenAI's details.
        usage["prompt_cache_hit_tokens"] = CachedPromptTokens;
        usage["prompt_cache_miss_tokens"] = PromptTokens - CachedPromptTokens;
        if (ReasoningTokens > 0) usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = ReasoningTokens };
        return usage;
    }

    protected override JsonObject Message(JsonObject body)
    {
        var message = base.Message(body);
        if (Reasons(body)) message["reasoning_content"] = Reasoning;
        return message;
    }

    /// <summary>DeepSeek's JSON output takes no schema.</summary>
    protected override IReadOnlyList<string> ResponseFormats => ["text", "json_object"];

    protected override string CallId(int index) => $"call_0{index}_fakeDeepSeek";

    protected override StreamScript Stream(HttpContext context, JsonObject body)
    {
        var calls = Calls(body);
        if (calls.Count > 0)
        {
            var script = base.Stream(context, body);
            return script with { Opening = [KeepAlive, .. script.Opening] };
        }
        var opening = new List<string> { KeepAlive, Frame(Chunk(body, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)) };
        if (Reasons(body)) opening.Add(Frame(Chunk(body, new JsonObject { ["content"] = null, ["reasoning_content"] = Reasoning }, null)));
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var closing = new List<string> { Frame(Chunk(body, new JsonObject { ["content"] = "" }, "stop")) };
        if (includeUsage) closing.Add(Frame(Chunk(body, null, null, Usage())));
        closing.Add(Done);
        return new StreamScript(opening, piece => [KeepAlive, Frame(Chunk(body, new JsonObject { ["content"] = piece }, null))], closing,
            ErrorFrame("Server busy, please try again later."), AsksForJson(body) ? JsonPieces : null);
    }
}
