using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Catalog;

/// <summary>The built-in models merged with the settings' overrides, looked up by vendor and model name.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<(string Provider, string Model), ModelInfo> _models;
    private readonly ILookup<string, ModelInfo> _byName;

    public ModelCatalog(IOptions<ModelCatalogOptions> options)
    {
        _models = new(KeyComparer.Instance);
        foreach (var model in BuiltInModels.All) _models[(model.Provider, model.Model)] = model;
        foreach (var (provider, models) in options.Value.Models)
        foreach (var (name, settings) in models)
        {
            var key = (provider.ToLowerInvariant(), name);
            var known = _models.GetValueOrDefault(key)
                ?? (settings.BaseModel is { } baseModel ? BuiltIn(baseModel)! with { Provider = key.Item1, Model = name, VendorModel = null } : null)
                ?? new ModelInfo(key.Item1, name, null, false, null);
            _models[key] = known with
            {
                ContextWindow = settings.ContextWindow ?? known.ContextWindow,
                Vision = settings.Vision ?? known.Vision,
                Prices = Prices(known.Prices, settings),
                VendorModel = settings.VendorModel ?? known.VendorModel,
                Type = settings.Type ?? known.Type,
                MaxOutputTokens = settings.MaxOutputTokens ?? known.MaxOutputTokens,
                ImageTokens = settings.ImageTokens ?? known.ImageTokens,
            };
        }
        _byName = _models.Values.ToLookup(m => m.Model, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The built-in prices with the settings' changes, dated by the settings when they change any; null (unpriced)
    /// unless both the input and the output price are known.
    /// </summary>
    private static ModelPrices? Prices(ModelPrices? known, ModelSettings settings)
    {
        if (!settings.SetsAnyPrice) return known;
        if ((settings.InputPricePerMillion ?? known?.Input) is not { } input || (settings.OutputPricePerMillion ?? known?.Output) is not { } output)
            return null;
        // PricesAsOf is set: ModelCatalogOptionsValidator refuses a price without it.
        return new ModelPrices(input, output, settings.PricesAsOf!.Value)
        {
            CachedInput = settings.CachedInputPricePerMillion ?? known?.CachedInput,
            CacheWrite = settings.CacheWritePricePerMillion ?? known?.CacheWrite,
            Reasoning = settings.ReasoningPricePerMillion ?? known?.Reasoning,
        };
    }

    /// <summary>The built-in model named <c>provider/model</c>, or null.</summary>
    internal static ModelInfo? BuiltIn(string qualifiedName) =>
        qualifiedName.Split('/', 2) is [var provider, var model]
            ? BuiltInModels.All.FirstOrDefault(m => KeyComparer.Instance.Equals((m.Provider, m.Model), (provider, model)))
            : null;

    public IEnumerable<ModelInfo> All => _models.Values.OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal);

    /// <summary>The model, or null when the catalog does not know it (the call still goes through).</summary>
    public ModelInfo? Find(string provider, string model) => _models.GetValueOrDefault((provider, model));

    /// <summary>Every vendor's entry for a bare model name (<c>gpt-4o-mini</c>), in vendor order; empty when none has it.</summary>
    public IEnumerable<ModelInfo> Named(string model) => _byName[model].OrderBy(m => m.Provider, StringComparer.Ordinal);

    private sealed class KeyComparer : IEqualityComparer<(string Provider, string Model)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((string Provider, string Model) x, (string Provider, string Model) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Provider, y.Provider) && StringComparer.OrdinalIgnoreCase.Equals(x.Model, y.Model);

        public int GetHashCode((string Provider, string Model) key) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(key.Provider), StringComparer.OrdinalIgnoreCase.GetHashCode(key.Model));
    }
}
