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

    /// <summary>What the model does: <see cref="ModelTypes.Chat"/> or <see cref="ModelTypes.Embedding"/>.</summary>
    public string Type { get; init; } = ModelTypes.Chat;
}

/// <summary>The kinds of model the catalog knows, as <c>/v1/models</c> reports them in <c>type</c>.</summary>
public static class ModelTypes
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";

    public static bool IsKnown(string type) => type is Chat or Embedding;
}
