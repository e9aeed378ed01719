using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.OpenAI;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.DeepSeek;

/// <summary>
/// DeepSeek's OpenAI-compatible API. Differences handled: no image input (refused here with a 400, whatever the
/// catalog says about the model), no <c>developer</c> role, <c>max_completion_tokens</c> sent as <c>max_tokens</c>.
/// Its cache hits (<c>prompt_cache_hit_tokens</c>) are also reported as OpenAI's <c>cached_tokens</c>.
/// Its <c>: keep-alive</c> stream comments and <c>reasoning_content</c> deltas need nothing beyond the OpenAI reader.
/// </summary>
public sealed class DeepSeekProvider(VendorHttp http, IOptions<ProvidersOptions> options) : OpenAICompatibleProvider(http, options)
{
    public const string ProviderName = "deepseek";

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.deepseek.com/");

    protected override ChatRequest Shape(ChatRequest request, bool stream)
    {
        if (RequestShaping.HasImages(request))
            throw ProxyException.BadRequest("DeepSeek models do not accept images; send text only.", "messages");
        return base.Shape(request with
        {
            Messages = RequestShaping.DeveloperAsSystem(request.Messages),
            MaxTokens = request.RequestedMaxTokens,
            MaxCompletionTokens = null,
        }, stream);
    }

    /// <summary>DeepSeek reports its cache hits as <c>prompt_cache_hit_tokens</c>; callers get them as OpenAI's <c>cached_tokens</c> too.</summary>
    protected override ChatUsage Usage(ChatUsage usage) =>
        usage.PromptTokensDetails?.CachedTokens is null
        && usage.AdditionalProperties?.TryGetValue("prompt_cache_hit_tokens", out var hits) == true && hits.TryGetInt32(out var cached)
            ? usage with { PromptTokensDetails = (usage.PromptTokensDetails ?? new PromptTokensDetails()) with { CachedTokens = cached } }
            : usage;
}
