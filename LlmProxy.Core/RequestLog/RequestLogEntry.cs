namespace LlmProxy.Core.RequestLog;

/// <summary>One call as the operator sees it in the log. Its id is the call's usage event id.</summary>
public sealed record RequestLogEntry
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string UserId { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public required string Status { get; init; }
    public int HttpStatus { get; init; }
    public bool Stream { get; init; }
    public bool Cached { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    /// <summary>The prompt-cache and reasoning parts of the tokens, as in the usage event.</summary>
    public int CachedPromptTokens { get; init; }
    public int CacheWriteTokens { get; init; }
    public int ReasoningTokens { get; init; }
    /// <summary>USD at the price book's prices; null when the model is unpriced.</summary>
    public decimal? CostUsd { get; init; }
    public long LatencyMs { get; init; }
    /// <summary>Time to the first streamed chunk; null for whole answers.</summary>
    public long? TimeToFirstTokenMs { get; init; }
    public string? VendorRequestId { get; init; }
    /// <summary>The id of the key the call came with (a tenant's key or a platform key); null for entries written before it was kept.</summary>
    public string? KeyId { get; init; }
    public string? Error { get; init; }
    /// <summary>The request messages as JSON, cut to the configured size; null when bodies are not stored.</summary>
    public string? RequestBody { get; init; }
    /// <summary>The answer text, cut to the configured size; null when bodies are not stored.</summary>
    public string? ResponseBody { get; init; }
    public bool BodiesTruncated { get; init; }
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>Filters of the admin log query; null fields do not filter.</summary>
public sealed record RequestLogQuery
{
    public string? TenantId { get; init; }
    public string? UserId { get; init; }
    public string? Provider { get; init; }
    public string? Model { get; init; }
    public string? Status { get; init; }
    public bool? Cached { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Limit { get; init; } = 100;
}

public interface IRequestLogStore
{
    /// <summary>Stores the entry once (a repeat of its id changes nothing), bodies cut as <see cref="StoredBodies"/> says.</summary>
    Task AddAsync(RequestLogEntry entry, CancellationToken cancellationToken);

    /// <summary>Stores several entries as <see cref="AddAsync"/> does; a store that can write them together overrides this.</summary>
    async Task AddManyAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries) await AddAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Matching entries, newest first, without bodies.</summary>
    Task<IReadOnlyList<RequestLogEntry>> QueryAsync(RequestLogQuery query, CancellationToken cancellationToken);

    /// <summary>One entry with its bodies.</summary>
    Task<RequestLogEntry?> GetAsync(string id, CancellationToken cancellationToken);

    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
