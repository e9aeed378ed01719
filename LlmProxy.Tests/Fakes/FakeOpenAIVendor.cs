using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.openai.com: the Chat Completions format, answered under <c>/v1</c>. Reasoning models (o-series,
/// gpt-5) refuse the deprecated <c>max_tokens</c>, as the real API does; <c>max_completion_tokens</c> works for all.
/// </summary>
public sealed class FakeOpenAIVendor : OpenAIStyleFakeVendor
{
    public const string Key = "sk-fake-openai-key";

    public override string ProviderName => "openai";
    public override string ApiKey => Key;
    public override Uri ProxyBaseUrl => new(RootUrl, "v1/");
    protected override IReadOnlyList<string> ChatPaths => ["/v1/chat/completions"];

    protected override void Validate(HttpContext context, JsonObject body)
    {
        base.Validate(context, body);
        var model = Model(body);
        if (body["max_tokens"] is not null && (model.StartsWith('o') || model.StartsWith("gpt-5", StringComparison.Ordinal)))
            throw new VendorRejection(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
    }

    protected override JsonObject Usage()
    {
        var usage = base.Usage();
        usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedPromptTokens, ["audio_tokens"] = 0 };
        usage["completion_tokens_details"] = new JsonObject
        {
            ["reasoning_tokens"] = ReasoningTokens, ["audio_tokens"] = 0, ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0,
        };
        return usage;
    }
}
