namespace LlmProxy.Core.Chat;

/// <summary>
/// The <c>GET /v1/models</c> list in OpenAI's shape and, in the same object, Anthropic's (<c>has_more</c>,
/// <c>first_id</c>, <c>last_id</c>; each model's <c>type</c>, <c>display_name</c>, <c>created_at</c>), so both
/// vendors' SDKs list it.
/// </summary>
public sealed record ChatModelList
{
    public string Object { get; init; } = "list";
    public IReadOnlyList<ChatModelInfo> Data { get; init; } = [];
    public bool HasMore { get; init; }
    public string? FirstId => Data.Count > 0 ? Data[0].Id : null;
    public string? LastId => Data.Count > 0 ? Data[^1].Id : null;
}

public sealed record ChatModelInfo
{
    public string Id { get; init; } = "";
    public string Object { get; init; } = "model";
    public string Type { get; init; } = "model";
    public string DisplayName => Id;
    public long Created { get; init; }
    public string CreatedAt => DateTimeOffset.FromUnixTimeSeconds(Created).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    public string OwnedBy { get; init; } = "";
    /// <summary>
    /// <c>chat</c> (<c>/v1/chat/completions</c>) or <c>embedding</c> (<c>/v1/embeddings</c>); not <c>type</c>, which
    /// Anthropic's SDKs read as the constant <c>model</c>.
    /// </summary>
    public string Kind { get; init; } = "chat";
    public bool Configured { get; init; }
    public int? ContextWindow { get; init; }
    public bool Vision { get; init; }
    /// <summary>USD per million prompt tokens; absent when unknown.</summary>
    public decimal? InputPricePerMillion { get; init; }
    /// <summary>USD per million completion tokens; absent when unknown.</summary>
    public decimal? OutputPricePerMillion { get; init; }
    /// <summary>USD per million prompt tokens read from the vendor's cache; absent when billed as input.</summary>
    public decimal? CachedInputPricePerMillion { get; init; }
    /// <summary>USD per million prompt tokens written to the vendor's cache; absent when billed as input.</summary>
    public decimal? CacheWritePricePerMillion { get; init; }
    /// <summary>USD per million reasoning tokens; absent when billed as output.</summary>
    public decimal? ReasoningPricePerMillion { get; init; }
    /// <summary>The day the prices were the vendor's list prices; absent when the model is unpriced.</summary>
    public DateOnly? PricesAsOf { get; init; }
}
