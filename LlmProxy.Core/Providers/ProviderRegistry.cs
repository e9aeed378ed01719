using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers.Mock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers;

/// <summary>Finds the adapter for a vendor name, standing the mock in for unconfigured vendors when allowed.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IChatProvider> _providers;
    private readonly IChatProvider _mock;
    private readonly bool _mockUnconfigured;

    public ProviderRegistry(IEnumerable<IChatProvider> providers, IOptions<ProxyOptions> options, IHostEnvironment environment)
    {
        _providers = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _mock = _providers[MockProvider.ProviderName];
        _mockUnconfigured = options.Value.MockUnconfiguredProviders ?? environment.IsDevelopment();
    }

    public IEnumerable<IChatProvider> All => _providers.Values;

    public bool MocksUnconfiguredProviders => _mockUnconfigured;

    /// <summary>The vendor names the proxy has an adapter for, in order.</summary>
    public IEnumerable<string> Names => _providers.Keys.Order(StringComparer.Ordinal);

    public bool Knows(string name) => _providers.ContainsKey(name);

    /// <summary>The adapter that will answer a call naming <paramref name="name"/>.</summary>
    public IChatProvider Resolve(string name) => Configured(Find(name, "provider"));

    /// <summary>The adapter that will answer an embeddings call naming <paramref name="name"/>; 400 for a vendor without embeddings.</summary>
    public IEmbeddingProvider ResolveEmbeddings(string name)
    {
        if (Find(name, "model") is not IEmbeddingProvider)
            throw ProxyException.BadRequest($"'{name}' has no embeddings endpoint. Vendors with embeddings: " +
                string.Join(", ", _providers.Values.OfType<IEmbeddingProvider>().Select(p => p.Name).Order()) + ".", "model");
        return (IEmbeddingProvider)Configured(_providers[name]);
    }

    private IChatProvider Find(string name, string param) =>
        _providers.TryGetValue(name, out var provider)
            ? provider
            : throw new ProxyException(400, ErrorTypes.InvalidRequest,
                $"Unknown provider '{name}'. Known providers: {string.Join(", ", Names)}.", param);

    private IChatProvider Configured(IChatProvider provider)
    {
        if (provider.IsConfigured) return provider;
        if (_mockUnconfigured) return _mock;
        throw new ProxyException(503, ErrorTypes.ProviderNotConfigured,
            $"Provider '{provider.Name}' has no API key configured on this proxy.", provider: provider.Name);
    }
}
