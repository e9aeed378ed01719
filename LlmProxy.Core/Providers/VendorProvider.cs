using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers;

/// <summary>What every real vendor adapter shares: its settings, whether it has a key, where its endpoints are.</summary>
public abstract class VendorProvider(IOptions<ProvidersOptions> options) : IChatProvider
{
    public abstract string Name { get; }

    /// <summary>The vendor's public API root, used when no <c>BaseUrl</c> is set.</summary>
    protected abstract Uri DefaultBaseUrl { get; }

    protected ProviderOptions Settings => options.Value.For(Name);

    public bool IsConfigured => !string.IsNullOrEmpty(Settings.ApiKey);

    protected TimeSpan FirstByteTimeout => TimeSpan.FromSeconds(Settings.TimeoutSeconds);

    /// <summary>An endpoint under the configured (or default) base URL.</summary>
    protected Uri Endpoint(string relative)
    {
        var baseUrl = Settings.BaseUrl ?? DefaultBaseUrl;
        if (!baseUrl.AbsoluteUri.EndsWith('/')) baseUrl = new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(baseUrl, relative);
    }

    public abstract Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);

    public abstract IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, CancellationToken cancellationToken);
}
