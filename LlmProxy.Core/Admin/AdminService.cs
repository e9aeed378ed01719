using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Admin;

/// <summary>What the admin routes do: quota overrides per tenant and user, usage aggregates, poison replay.</summary>
public sealed class AdminService(IQuotaStore quotas, IUsageStore usage, IQuotaAuditStore audit, QuotaLimits limits, PoisonReplayer replayer, TimeProvider clock)
{
    private static readonly TimeSpan DefaultRange = TimeSpan.FromDays(30);
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public async Task<QuotaOverrideView> GetQuotaAsync(string tenantId, string? userId, CancellationToken cancellationToken)
    {
        var scope = Scope(tenantId, userId);
        var current = await quotas.GetOverrideAsync(scope, cancellationToken).ConfigureAwait(false);
        var effective = await limits.ForAsync(scope, cancellationToken).ConfigureAwait(false);
        return new QuotaOverrideView(tenantId, userId, current, new QuotaOverride(effective.Tokens, effective.RequestsPerMinute,
            effective.CostNanodollars is { } cost ? Nanodollars.ToUsd(cost) : null));
    }

    /// <summary>
    /// Sets the scope's override; one with no field set removes it (back to the defaults). The change is
    /// recorded in the audit trail under <paramref name="actor"/> (the admin key or dashboard session that made it).
    /// </summary>
    public async Task<QuotaOverrideView> SetQuotaAsync(string tenantId, string? userId, QuotaOverride value, string actor, CancellationToken cancellationToken)
    {
        if (value.TokenLimit is < 0) throw ProxyException.BadRequest("'tokenLimit' must be 0 (unlimited) or more.", "tokenLimit");
        if (value.RequestsPerMinute is < 0) throw ProxyException.BadRequest("'requestsPerMinute' must be 0 (unlimited) or more.", "requestsPerMinute");
        if (value.CostLimitUsd is { } cost && !Nanodollars.IsLimit(cost))
            throw ProxyException.BadRequest($"'costLimitUsd' must be 0 (unlimited) to {Nanodollars.MaxLimitUsd:0} USD, with at most 9 decimals.", "costLimitUsd");
        var scope = Scope(tenantId, userId);
        var old = await quotas.GetOverrideAsync(scope, cancellationToken).ConfigureAwait(false);
        var updated = value.TokenLimit is null && value.RequestsPerMinute is null && value.CostLimitUsd is null ? null : value;
        await quotas.SetOverrideAsync(scope, updated, cancellationToken).ConfigureAwait(false);
        await audit.AddAsync(new QuotaAuditEntry(Guid.NewGuid().ToString("N"), tenantId, userId, actor, clock.GetUtcNow(), old, updated),
            cancellationToken).ConfigureAwait(false);
        return await GetQuotaAsync(tenantId, userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest quota changes, of one tenant or of all.</summary>
    public Task<IReadOnlyList<QuotaAuditEntry>> AuditAsync(string? tenantId, int limit, CancellationToken cancellationToken)
    {
        if (tenantId is not null) RequestValidator.CheckId(tenantId, "tenantId");
        if (limit is < 1 or > 1000) throw ProxyException.BadRequest("'limit' must be 1 to 1000.", "limit");
        return audit.ListAsync(tenantId, limit, cancellationToken);
    }

    /// <summary>Usage per tenant, user, vendor, model and day in [from, to); the last 30 UTC days (today included) by default.</summary>
    public async Task<UsageReport> UsageAsync(string? tenantId, string? userId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        if (tenantId is not null) RequestValidator.CheckId(tenantId, "tenantId");
        if (userId is not null)
        {
            if (tenantId is null) throw ProxyException.BadRequest("'userId' needs 'tenantId'.", "userId");
            RequestValidator.CheckId(userId, "userId");
        }
        var (start, end) = Range(from, to);
        var rows = await usage.AggregateAsync(new UsageQuery(tenantId, userId, start, end), cancellationToken).ConfigureAwait(false);
        return new UsageReport(start, end, rows.Sum(r => r.Requests), rows.Sum(r => r.TotalTokens), rows);
    }

    public async Task<PoisonReplay> ReplayPoisonAsync(int max, CancellationToken cancellationToken)
    {
        if (max is < 1 or > 10_000) throw ProxyException.BadRequest("'max' must be 1 to 10000.", "max");
        try
        {
            return new PoisonReplay(await replayer.ReplayAsync(max, cancellationToken).ConfigureAwait(false));
        }
        catch (InvalidOperationException e)
        {
            throw new ProxyException(409, ErrorTypes.InvalidRequest, "No storage queue is configured, so there is no poison queue to replay. " + e.Message);
        }
    }

    /// <summary>A report range: [from, to), by default the last 30 whole UTC days (today included), at most 366 days.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Range(DateTimeOffset? from, DateTimeOffset? to)
    {
        // Rows are per UTC day, so the default range is whole days.
        var end = to ?? new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var start = from ?? end - DefaultRange;
        if (start >= end) throw ProxyException.BadRequest("'from' must be before 'to'.", "from");
        if (end - start > MaxRange) throw ProxyException.BadRequest("The range from 'from' to 'to' must be at most 366 days.", "from");
        return (start, end);
    }

    internal static QuotaScope Scope(string tenantId, string? userId)
    {
        RequestValidator.CheckTenantId(tenantId);
        if (userId is null) return QuotaScope.Tenant(tenantId);
        RequestValidator.CheckId(userId, "userId");
        return QuotaScope.User(tenantId, userId);
    }
}

/// <param name="Override">What the store holds for the scope; null = defaults apply.</param>
/// <param name="Effective">The limits in force (null fields = unlimited).</param>
public sealed record QuotaOverrideView(string TenantId, string? UserId, QuotaOverride? Override, QuotaOverride Effective);

public sealed record UsageReport(DateTimeOffset From, DateTimeOffset To, long Requests, long TotalTokens, IReadOnlyList<UsageAggregate> Rows);

public sealed record PoisonReplay(int Replayed);
