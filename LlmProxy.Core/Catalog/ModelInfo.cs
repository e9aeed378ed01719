namespace LlmProxy.Core.Catalog;

/// <summary>What the proxy knows about one vendor model: limits, image input and list prices.</summary>
/// <param name="VendorModel">The name sent to the vendor when it differs from <paramref name="Model"/> (an older or shorter alias).</param>
/// <param name="InputPricePerMillion">USD per million prompt tokens; null when unknown.</param>
/// <param name="OutputPricePerMillion">USD per million completion tokens; null when unknown.</param>
public sealed record ModelInfo(
    string Provider,
    string Model,
    int? ContextWindow,
    bool Vision,
    decimal? InputPricePerMillion,
    decimal? OutputPricePerMillion,
    string? VendorModel = null)
{
    /// <summary>The most output tokens the model writes per answer; a larger budget is lowered to it. Null when unknown.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>The most prompt tokens the vendor bills for one image sent to this model; null: <c>Quota:ImageTokens</c>.</summary>
    public int? ImageTokens { get; init; }

    /// <summary>The price of a call in USD, or null when either price is unknown.</summary>
    public decimal? CostOf(int promptTokens, int completionTokens) =>
        InputPricePerMillion is { } input && OutputPricePerMillion is { } output
            ? (promptTokens * input + completionTokens * output) / 1_000_000m
            : null;
}
