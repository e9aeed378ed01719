using System.Text.Json.Serialization;

namespace LlmProxy.Core.Usage;

/// <summary>One proxied call's usage. Exactly one per call, whatever its outcome.</summary>
public sealed record UsageEvent
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("tenantId")] public required string TenantId { get; init; }
    [JsonPropertyName("userId")] public required string UserId { get; init; }
    /// <summary>The publishable key whose own budget the call counts against; null for other calls.</summary>
    [JsonPropertyName("keyId")] public string? KeyId { get; init; }
    [JsonPropertyName("provider")] public required string Provider { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("promptTokens")] public int PromptTokens { get; init; }
    [JsonPropertyName("completionTokens")] public int CompletionTokens { get; init; }
    /// <summary>Prompt tokens the vendor read from its prompt cache (part of <see cref="PromptTokens"/>).</summary>
    [JsonPropertyName("cachedPromptTokens")] public int CachedPromptTokens { get; init; }
    /// <summary>Prompt tokens the vendor wrote to its prompt cache (part of <see cref="PromptTokens"/>; Anthropic reports them).</summary>
    [JsonPropertyName("cacheWriteTokens")] public int CacheWriteTokens { get; init; }
    /// <summary>Reasoning tokens (part of <see cref="CompletionTokens"/>).</summary>
    [JsonPropertyName("reasoningTokens")] public int ReasoningTokens { get; init; }
    /// <summary>True when the token counts come from the proxy's tokenizer rather than the vendor.</summary>
    [JsonPropertyName("estimated")] public bool Estimated { get; init; }
    [JsonPropertyName("latencyMs")] public long LatencyMs { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("httpStatus")] public int HttpStatus { get; init; }
    [JsonPropertyName("cached")] public bool Cached { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    /// <summary>USD at the price book's prices for each kind of token; null when the model's prices are unknown.</summary>
    [JsonPropertyName("costUsd")] public decimal? CostUsd { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset Timestamp { get; init; }
    /// <summary>The quota reservation the recorder settles with this event; null when none was taken.</summary>
    [JsonPropertyName("reservationId")] public string? ReservationId { get; init; }
    /// <summary>Tokens reserved at admission, for the log; the store settles the amount it holds itself.</summary>
    [JsonPropertyName("reservedTokens")] public long ReservedTokens { get; init; }

    [JsonIgnore] public int TotalTokens => PromptTokens + CompletionTokens;
}

public static class UsageStatuses
{
    public const string Ok = "ok";
    public const string VendorError = "vendor_error";
    /// <summary>The caller went away before the answer was complete.</summary>
    public const string ClientClosed = "client_closed";
    public const string Error = "error";
}
