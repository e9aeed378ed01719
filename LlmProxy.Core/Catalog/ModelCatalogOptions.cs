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

public sealed class ModelSettings
{
    public int? ContextWindow { get; set; }
    public bool? Vision { get; set; }
    public decimal? InputPricePerMillion { get; set; }
    public decimal? OutputPricePerMillion { get; set; }
    public string? VendorModel { get; set; }
    public int? MaxOutputTokens { get; set; }
    public int? ImageTokens { get; set; }
}
