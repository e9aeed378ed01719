using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// The OpenAI model list (<c>GET /v1/models</c>) and one entry of it (<c>GET /v1/models/{id}</c>): every catalog model
/// whose vendor the proxy has, with whether that vendor is configured.
/// </summary>
public sealed class ModelListing(ProviderRegistry providers, ModelCatalog catalog, ModelNames names, TimeProvider clock)
{
    /// <summary>
    /// OpenAI's <c>created</c> is when a model became available; here that is when this proxy started to serve its
    /// catalog (an SDK that sorts or shows it needs a real time, not 0).
    /// </summary>
    private readonly long _created = clock.GetUtcNow().ToUnixTimeSeconds();

    public ChatModelList List() => new() { Data = catalog.All.Where(m => providers.Knows(m.Provider)).Select(Describe).ToList() };

    /// <summary>
    /// One model by its id: <c>provider/model</c> (SDKs send it URL-encoded, <c>mock%2Fecho</c>) or a bare name that
    /// <see cref="ModelNames"/> places. 404 <c>model_not_found</c> when the catalog does not list it.
    /// </summary>
    public ChatModelInfo Find(string id)
    {
        var decoded = Uri.UnescapeDataString(id);
        try
        {
            var (provider, model) = names.Resolve(decoded);
            if (catalog.Find(provider, model) is { } known) return Describe(known);
        }
        catch (ProxyException e) when (e.Status == 400)
        {
            // A name that cannot be placed is simply not a model of this proxy.
        }
        throw new ProxyException(404, ErrorTypes.NotFound, $"The model '{decoded}' does not exist here; GET /v1/models lists the models.", "model")
        {
            Code = "model_not_found",
        };
    }

    private ChatModelInfo Describe(ModelInfo m) => new()
    {
        Id = $"{m.Provider}/{m.Model}",
        Created = _created,
        Kind = m.Type,
        OwnedBy = m.Provider,
        Configured = providers.All.First(p => string.Equals(p.Name, m.Provider, StringComparison.OrdinalIgnoreCase)).IsConfigured,
        ContextWindow = m.ContextWindow,
        Vision = m.Vision,
        InputPricePerMillion = m.Prices?.Input,
        OutputPricePerMillion = m.Prices?.Output,
        CachedInputPricePerMillion = m.Prices?.CachedInput,
        CacheWritePricePerMillion = m.Prices?.CacheWrite,
        ReasoningPricePerMillion = m.Prices?.Reasoning,
        PricesAsOf = m.Prices?.AsOf,
    };
}
