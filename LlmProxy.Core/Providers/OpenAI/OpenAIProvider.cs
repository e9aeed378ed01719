using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// OpenAI Chat Completions. The canonical model is this vendor's schema, so the request goes out as it came in
/// (unknown fields included) with the vendor's model name, and streaming always asks for the usage chunk.
/// Embeddings: <c>POST /v1/embeddings</c>, vectors asked for in base64 (exact, and half the size of JSON numbers).
/// </summary>
public sealed class OpenAIProvider(VendorHttp http, IOptions<ProvidersOptions> options) : OpenAICompatibleProvider(http, options), IEmbeddingProvider
{
    public const string ProviderName = "openai";

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.openai.com/v1/");

    /// <summary>OpenAI's documented limits: 2,048 inputs and 300,000 tokens per request.</summary>
    public EmbeddingLimits Limits { get; } = new(2048, 300_000);

    public Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken) =>
        EmbedAsync(new OpenAIEmbeddingRequest { Model = call.VendorModel, Input = inputs, Dimensions = call.Dimensions, EncodingFormat = "base64" }, cancellationToken);
}
