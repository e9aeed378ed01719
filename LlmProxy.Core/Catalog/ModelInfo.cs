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
    /// <summary>What the model does: <see cref="ModelTypes.Chat"/> or <see cref="ModelTypes.Embedding"/>.</summary>
    public string Type { get; init; } = ModelTypes.Chat;

    /// <summary>The price of a call in USD, or null when either price is unknown.</summary>
    public decimal? CostOf(int promptTokens, int completionTokens) =>
        InputPricePerMillion is { } input && OutputPricePerMillion is { } output
            ? (promptTokens * input + completionTokens * output) / 1_000_000m
            : null;
}

/// <summary>The kinds of model the catalog knows, as <c>/v1/models</c> reports them in <c>type</c>.</summary>
public static class ModelTypes
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";

    public static bool IsKnown(string type) => type is Chat or Embedding;
}
