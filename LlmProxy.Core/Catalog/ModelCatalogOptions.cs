using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Catalog;

/// <summary>
/// Overrides and additions to the built-in catalog, section <c>LlmProxy:Models:{provider}:{model}</c>. A field left
/// unset keeps the built-in value; a model the catalog lacks is added.
/// </summary>
public sealed class ModelCatalogOptions
{
    public const string Section = "LlmProxy";

    public Dictionary<string, Dictionary<string, ModelSettings>> Models { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One model's settings. Prices are USD per million tokens; a changed price needs the day it was read (<see cref="PricesAsOf"/>).</summary>
public sealed class ModelSettings
{
    public int? ContextWindow { get; set; }
    public bool? Vision { get; set; }
    public decimal? InputPricePerMillion { get; set; }
    public decimal? OutputPricePerMillion { get; set; }
    public decimal? CachedInputPricePerMillion { get; set; }
    public decimal? CacheWritePricePerMillion { get; set; }
    public decimal? ReasoningPricePerMillion { get; set; }
    public DateOnly? PricesAsOf { get; set; }
    public string? VendorModel { get; set; }

    /// <summary>
    /// The built-in model this one is a deployment of, as <c>provider/model</c> (an Azure OpenAI deployment
    /// <c>azure/prod-mini</c> of <c>openai/gpt-4o-mini</c>): it starts from that model's prices, limits, vision and
    /// type, and the fields set beside it override them.
    /// </summary>
    public string? BaseModel { get; set; }
    public int? MaxOutputTokens { get; set; }
    public int? ImageTokens { get; set; }

    /// <summary><c>chat</c> or <c>embedding</c>; a model added without one is a chat model.</summary>
    public string? Type { get; set; }

    internal bool SetsAnyPrice => InputPricePerMillion is not null || OutputPricePerMillion is not null || CachedInputPricePerMillion is not null
        || CacheWritePricePerMillion is not null || ReasoningPricePerMillion is not null;
}

/// <summary>Refuses, at start-up, settings that would make a wrong price book, naming the setting.</summary>
internal sealed class ModelCatalogOptionsValidator : IValidateOptions<ModelCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelCatalogOptions options)
    {
        var problems = new List<string>();
        foreach (var (provider, models) in options.Models)
        foreach (var (model, settings) in models)
        {
            var prefix = $"LlmProxy:Models:{provider}:{model}";
            if (settings.BaseModel is { } baseModel && ModelCatalog.BuiltIn(baseModel) is null)
                problems.Add($"{prefix}:BaseModel must name a built-in model as provider/model (e.g. openai/gpt-4o-mini); got \"{baseModel}\".");
            if (settings.ContextWindow is <= 0) problems.Add($"{prefix}:ContextWindow must be above 0.");
            if (settings.Type is { } type && !ModelTypes.IsKnown(type)) problems.Add($"{prefix}:Type must be \"{ModelTypes.Chat}\" or \"{ModelTypes.Embedding}\"; got \"{type}\".");
            foreach (var (field, price) in new[]
                     {
                         ("InputPricePerMillion", settings.InputPricePerMillion), ("OutputPricePerMillion", settings.OutputPricePerMillion),
                         ("CachedInputPricePerMillion", settings.CachedInputPricePerMillion), ("CacheWritePricePerMillion", settings.CacheWritePricePerMillion),
                         ("ReasoningPricePerMillion", settings.ReasoningPricePerMillion),
                     })
                if (price is < 0) problems.Add($"{prefix}:{field} must be 0 or more.");
            // A price without its date cannot be checked against the vendor's list later.
            if (settings.SetsAnyPrice && settings.PricesAsOf is null)
                problems.Add($"{prefix}:PricesAsOf is required with a price: the day the prices were the vendor's (e.g. 2026-11-28).");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
