namespace LlmProxy.Core.Chat;

/// <summary>The OpenAI <c>GET /v1/models</c> list shape.</summary>
public sealed record ChatModelList
{
    public string Object { get; init; } = "list";
    public IReadOnlyList<ChatModelInfo> Data { get; init; } = [];
}

public sealed record ChatModelInfo
{
    public string Id { get; init; } = "";
    public string Object { get; init; } = "model";
    public long Created { get; init; }
    public string OwnedBy { get; init; } = "";
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
