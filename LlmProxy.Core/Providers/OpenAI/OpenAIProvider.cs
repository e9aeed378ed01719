using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// OpenAI Chat Completions. The canonical model is this vendor's schema, so the request goes out as it came in
/// (unknown fields included) with the vendor's model name, and streaming always asks for the usage chunk.
/// </summary>
public sealed class OpenAIProvider(VendorHttp http, IOptions<ProvidersOptions> options) : OpenAICompatibleProvider(http, options)
{
    public const string ProviderName = "openai";

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.openai.com/v1/");
}
