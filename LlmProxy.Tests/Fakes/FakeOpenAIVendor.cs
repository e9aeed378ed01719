using System.Text.Json.Nodes;

namespace LlmProxy.Tests.Fakes;

/// <summary>A stand-in for api.openai.com: the Chat Completions format, answered under <c>/v1</c>.</summary>
public sealed class FakeOpenAIVendor : OpenAIStyleFakeVendor
{
    public const string Key = "sk-fake-openai-key";

    public override string ProviderName => "openai";
    public override string ApiKey => Key;
    public override Uri ProxyBaseUrl => new(RootUrl, "v1/");
    protected override IReadOnlyList<string> ChatPaths => ["/v1/chat/completions"];

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
