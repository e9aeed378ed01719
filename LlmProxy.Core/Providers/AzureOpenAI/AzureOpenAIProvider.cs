using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Providers.OpenAI;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.AzureOpenAI;

/// <summary>
/// Azure OpenAI (Azure AI Foundry): OpenAI's Chat Completions and Embeddings on the operator's own resource, the model
/// being a deployment name. Calls go to the v1 API (<c>/openai/v1/…</c>, the deployment in <c>model</c>), or with
/// <c>ApiVersion</c> set to the dated path (<c>/openai/deployments/{deployment}/…?api-version=</c>). A key travels in
/// <c>api-key</c>; without one the app's managed identity signs in (<see cref="EntraTokens"/>). Azure's content-filter
/// annotations (<c>prompt_filter_results</c>, <c>content_filter_results</c>, <c>finish_reason: content_filter</c>)
/// pass through as OpenAI-shaped extras; a refused prompt becomes a 400 <c>content_filter</c> (<see cref="ContentFilterRefusal"/>).
/// </summary>
public sealed class AzureOpenAIProvider(VendorHttp http, IOptions<ProvidersOptions> options, EntraTokens tokens)
    : OpenAICompatibleProvider(http, options), IEmbeddingProvider
{
    public const string ProviderName = "azure";

    /// <summary>The header Azure reads a resource key from (it ignores a key sent as a bearer token).</summary>
    public const string KeyHeader = "api-key";

    public override string Name => ProviderName;

    /// <summary>Each resource has its own host, so there is no public default: without a BaseUrl the vendor is not configured.</summary>
    protected override Uri DefaultBaseUrl =>
        throw new InvalidOperationException($"LlmProxy:Providers:{ProviderName}:BaseUrl is not set.");

    /// <summary>A resource to call is enough: with no key the managed identity authenticates.</summary>
    public override bool IsConfigured => Settings.BaseUrl is not null;

    /// <summary>
    /// Azure opens a stream with a chunk that has no choices, only the prompt's <c>prompt_filter_results</c>; code
    /// written for OpenAI reads <c>choices[0]</c> of every chunk before the usage chunk, so those results ride on the
    /// first real chunk instead.
    /// </summary>
    public override async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, JsonElement>? promptFilter = null;
        await foreach (var chunk in base.StreamAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (chunk is { Choices.Count: 0, Usage: null, AdditionalProperties: not null })
            {
                promptFilter = chunk.AdditionalProperties;
                continue;
            }
            if (promptFilter is not null)
            {
                chunk.AdditionalProperties = chunk.AdditionalProperties is null ? promptFilter : new(chunk.AdditionalProperties.Concat(promptFilter));
                promptFilter = null;
            }
            yield return chunk;
        }
    }

    protected override async ValueTask<Action<HttpRequestHeaders>> AuthorizeAsync(CancellationToken cancellationToken)
    {
        if (Settings.ApiKey is { Length: > 0 } key) return headers => headers.TryAddWithoutValidation(KeyHeader, key);
        var token = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        return headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    protected override Uri ChatEndpoint(string model) => Operation(model, "chat/completions");

    protected override Uri EmbeddingsEndpoint(string model) => Operation(model, "embeddings");

    private Uri Operation(string deployment, string operation) => Settings.ApiVersion is { } version
        ? Endpoint($"openai/deployments/{Uri.EscapeDataString(deployment)}/{operation}?api-version={Uri.EscapeDataString(version)}")
        : FixedEndpoint("openai/v1/" + operation);

    /// <summary>Azure serves OpenAI's embedding models with OpenAI's limits (2,048 inputs per request).</summary>
    public EmbeddingLimits Limits { get; } = new(2048, 300_000);

    public Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken) =>
        EmbedAsync(new OpenAIEmbeddingRequest { Model = call.VendorModel, Input = inputs, Dimensions = call.Dimensions, EncodingFormat = "base64" }, cancellationToken);
}
