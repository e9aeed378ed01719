namespace LlmProxy.Core.Quotas;

/// <summary>The answer of <c>GET /api/quota</c>: the user's figures at the top, the tenant's beside them.</summary>
public sealed record QuotaStatus
{
    public required string TenantId { get; init; }
    public string? UserId { get; init; }
    public QuotaPeriodKind PeriodKind { get; init; }
    public DateTimeOffset PeriodStart { get; init; }
    public DateTimeOffset PeriodEnd { get; init; }
    /// <summary>Token limit for the period; null = unlimited.</summary>
    public long? Limit { get; init; }
    public long Used { get; init; }
    /// <summary>Tokens held by calls in flight (admitted, usage not yet recorded).</summary>
    public long Reserved { get; init; }
    /// <summary>Limit - used - reserved; null when unlimited.</summary>
    public long? Remaining { get; init; }
    /// <summary>Requests per minute; null = unlimited.</summary>
    public int? RequestsPerMinute { get; init; }
    /// <summary>The current one-minute window; null when requests are unlimited.</summary>
    public RateLimitState? RateLimit { get; init; }
    public QuotaFigures? Tenant { get; init; }
}

public sealed record QuotaFigures(long? Limit, long Used, long Reserved, long? Remaining, int? RequestsPerMinute, RateLimitState? RateLimit);
