namespace LlmProxy.Core.Catalog;

/// <summary>What the proxy knows about one vendor model: limits, image input and prices.</summary>
/// <param name="VendorModel">The name sent to the vendor when it differs from <paramref name="Model"/> (an older or shorter alias).</param>
/// <param name="Prices">The model's entry in the price book; null when its prices are unknown.</param>
public sealed record ModelInfo(
    string Provider,
    string Model,
    int? ContextWindow,
    bool Vision,
    ModelPrices? Prices,
    string? VendorModel = null)
{
    /// <summary>The most output tokens the model writes per answer; a larger budget is lowered to it. Null when unknown.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>The most prompt tokens the vendor bills for one image sent to this model; null: <c>Quota:ImageTokens</c>.</summary>
    public int? ImageTokens { get; init; }
}
