using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Tests.Fakes;

/// <summary>
/// A stand-in for api.openai.com: Chat Completions and Embeddings, answered under <c>/v1</c>. Reasoning models (o-series,
/// gpt-5) refuse the deprecated <c>max_tokens</c>, as the real API does; <c>max_completion_tokens</c> works for all.
/// Embeddings refuse what OpenAI refuses: unknown fields, token arrays in <c>input</c>, more than 2,048 inputs or
/// 300,000 tokens, <c>dimensions</c> for models before text-embedding-3.
/// </summary>
public sealed class FakeOpenAIVendor : OpenAIStyleFakeVendor
{
    public const string Key = "sk-fake-openai-key";

    public override string ProviderName => "openai";
    public override string ApiKey => Key;
    public override Uri ProxyBaseUrl => new(RootUrl, "v1/");
    protected override IReadOnlyList<string> ChatPaths => ["/v1/chat/completions"];
    protected override IReadOnlyList<string> EmbeddingPaths => ["/v1/embeddings"];

    private static readonly HashSet<string> EmbeddingFields = ["model", "input", "dimensions", "encoding_format", "user"];

    protected override void ValidateEmbeddings(HttpContext context, JsonObject body)
    {
        RefuseUnknownFields(body, EmbeddingFields, name => $"Unrecognized request argument supplied: {name}");
        if (body["model"]?.GetValue<string>() is not { Length: > 0 } model) throw new VendorRejection(400, "you must provide a model parameter");
        var texts = FakeEmbeddings.Texts(body["input"], 2048);
        var tokens = texts.Sum(FakeEmbeddings.Tokens);
        if (tokens > 300_000) throw new VendorRejection(400, $"Requested {tokens} tokens, max 300000 tokens per request");
        if (body["encoding_format"]?.GetValue<string>() is { } format && format is not ("float" or "base64"))
            throw new VendorRejection(400, $"Invalid value for 'encoding_format': '{format}'.");
        if (body["dimensions"] is not null && !model.StartsWith("text-embedding-3", StringComparison.Ordinal))
            throw new VendorRejection(400, "This model does not support specifying dimensions.");
    }

    protected override JsonObject Embeddings(HttpContext context, JsonObject body) =>
        EmbeddingList(Model(body), FakeEmbeddings.Texts(body["input"], 2048), body["dimensions"]?.GetValue<int>() ?? FakeEmbeddings.DefaultDimensions,
            body["encoding_format"]?.GetValue<string>() == "base64");

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
