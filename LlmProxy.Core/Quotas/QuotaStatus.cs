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
    /// <summary>Money budget for the period in USD; null = unlimited.</summary>
    public decimal? CostLimitUsd { get; init; }
    /// <summary>USD the period's recorded calls cost at the price book's prices.</summary>
    public decimal CostUsedUsd { get; init; }
    /// <summary>USD held by calls in flight (the most each may cost).</summary>
    public decimal CostReservedUsd { get; init; }
    /// <summary>Budget - used - reserved in USD; null when unlimited.</summary>
    public decimal? CostRemainingUsd { get; init; }
    /// <summary>Requests per minute; null = unlimited.</summary>
    public int? RequestsPerMinute { get; init; }
    /// <summary>The current one-minute window; null when requests are unlimited.</summary>
    public RateLimitState? RateLimit { get; init; }
    public QuotaFigures? Tenant { get; init; }
}

/// <summary>One scope's limits and figures in the current period: tokens, money in USD (null limits = unlimited), requests.</summary>
public sealed record QuotaFigures(long? Limit, long Used, long Reserved, long? Remaining, int? RequestsPerMinute, RateLimitState? RateLimit)
{
    public decimal? CostLimitUsd { get; init; }
    public decimal CostUsedUsd { get; init; }
    public decimal CostReservedUsd { get; init; }
    public decimal? CostRemainingUsd { get; init; }

    public static QuotaFigures Of(EffectiveLimits limit, Storage.QuotaCounter counter, RateLimitState? rate) =>
        new(limit.Tokens, counter.Used, counter.Reserved,
            limit.Tokens is { } l ? Math.Max(0, l - counter.Used - counter.Reserved) : null, limit.RequestsPerMinute, rate)
        {
            CostLimitUsd = limit.CostNanodollars is { } budget ? Nanodollars.ToUsd(budget) : null,
            CostUsedUsd = Nanodollars.ToUsd(counter.CostUsed),
            CostReservedUsd = Nanodollars.ToUsd(counter.CostReserved),
            CostRemainingUsd = limit.CostNanodollars is { } b ? Nanodollars.ToUsd(Math.Max(0, b - counter.CostUsed - counter.CostReserved)) : null,
        };
}
