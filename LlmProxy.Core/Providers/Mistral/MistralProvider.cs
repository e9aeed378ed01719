using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Providers.OpenAI;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Mistral;

/// <summary>
/// Mistral's Chat Completions: OpenAI's shape, but Mistral refuses fields it does not document (422), so the
/// request is cut to its schema: <c>seed</c> becomes <c>random_seed</c>, <c>max_completion_tokens</c> becomes
/// <c>max_tokens</c>, <c>stream_options</c> and <c>user</c> are never sent (the last stream chunk carries usage
/// unasked), <c>developer</c> turns become <c>system</c>, and other unknown fields get a 400. Tool-call ids are
/// held to Mistral's nine letters and digits. Embeddings: <c>POST /v1/embeddings</c> in OpenAI's shape, the vector
/// length as <c>output_dimension</c>.
/// </summary>
public sealed class MistralProvider(VendorHttp http, IOptions<ProvidersOptions> options) : OpenAICompatibleProvider(http, options), IEmbeddingProvider
{
    public const string ProviderName = "mistral";

    private static readonly string[] AcceptedExtraFields =
        ["response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "parallel_tool_calls",
         "prediction", "prompt_mode", "safe_prompt", "random_seed", "metadata", "reasoning_effort", "guardrails",
         "prompt_cache_key", "service_tier"];

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.mistral.ai/v1/");

    protected override ChatRequest Shape(ChatRequest request, bool stream)
    {
        RequestShaping.RefuseExtraFields(Name, request, AcceptedExtraFields);
        var extra = request.AdditionalProperties is null ? [] : new Dictionary<string, JsonElement>(request.AdditionalProperties);
        if (request.Seed is { } seed) extra["random_seed"] = JsonSerializer.SerializeToElement(seed, Serialization.ProxyJsonContext.Default.Int64);
        return request with
        {
            Messages = MistralToolCallIds.Conform(RequestShaping.DeveloperAsSystem(request.Messages)),
            MaxTokens = request.RequestedMaxTokens,
            MaxCompletionTokens = null,
            Seed = null,
            User = null,
            Stream = stream ? true : null,
            StreamOptions = null,
            AdditionalProperties = extra.Count == 0 ? null : extra,
        };
    }

    /// <summary>
    /// Mistral caps a request by its tokens (about 16k in all); the count limit is the proxy's own choice, since
    /// the token budget binds first for all but very short texts.
    /// </summary>
    public EmbeddingLimits Limits { get; } = new(512, 16_384);

    public Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken) =>
        EmbedAsync(new OpenAIEmbeddingRequest { Model = call.VendorModel, Input = inputs, OutputDimension = call.Dimensions }, cancellationToken);
}
