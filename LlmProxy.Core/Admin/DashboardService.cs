using System.Globalization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Admin;

/// <summary>
/// The figures of the admin dashboard, from the usage aggregates and the quota store: the overview of a range and
/// the table of tenants and users with their quota in the current period.
/// </summary>
public sealed class DashboardService(AdminService admin, IUsageStore usage, IQuotaStore quotas, QuotaLimits limits,
    IOptions<QuotaOptions> quotaOptions, TimeProvider clock)
{
    private const int TopCount = 10;
    private const int MaxScopes = 500;

    /// <summary>Totals, a per-day series split by vendor or by model, and the top tenants, users and models of [from, to).</summary>
    public async Task<UsageOverview> OverviewAsync(string? tenantId, DateTimeOffset? from, DateTimeOffset? to, string split, CancellationToken cancellationToken)
    {
        if (tenantId is not null) RequestValidator.CheckId(tenantId, "tenantId");
        if (split is not ("vendor" or "model")) throw ProxyException.BadRequest("'split' must be 'vendor' or 'model'.", "split");
        var (start, end) = admin.Range(from, to);
        var query = new UsageQuery(tenantId, null, start, end);
        var rows = await usage.AggregateAsync(query, cancellationToken).ConfigureAwait(false);
        var latencies = await usage.LatenciesAsync(query, cancellationToken).ConfigureAwait(false);

        long requests = rows.Sum(r => r.Requests), cached = rows.Sum(r => r.CachedRequests), errors = rows.Sum(r => r.ErrorRequests);
        var totals = new UsageTotals(requests, rows.Sum(r => r.PromptTokens), rows.Sum(r => r.CompletionTokens), rows.Sum(r => r.CostUsd),
            cached, Ratio(cached, requests), errors, Ratio(errors, requests), Percentile(latencies, 0.50), Percentile(latencies, 0.95));

        var days = Days(start, end);
        var lines = rows.GroupBy(r => split == "vendor" ? r.Provider : $"{r.Provider}/{r.Model}")
            .OrderByDescending(g => g.Sum(r => r.TotalTokens)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new UsageSeriesLine(g.Key,
                days.Select(d => g.Where(r => r.Day == d).Sum(r => r.Requests)).ToList(),
                days.Select(d => g.Where(r => r.Day == d).Sum(r => r.TotalTokens)).ToList()))
            .ToList();

        return new UsageOverview(start, end, tenantId, totals, new UsageSeries(days, lines),
            Rank(rows.GroupBy(r => (r.TenantId, (string?)null))),
            Rank(rows.GroupBy(r => (r.TenantId, (string?)r.UserId))),
            rows.GroupBy(r => (r.Provider, r.Model))
                .Select(g => new ModelUsage(g.Key.Provider, g.Key.Model, g.Sum(r => r.Requests), g.Sum(r => r.TotalTokens), g.Sum(r => r.CostUsd)))
                .OrderByDescending(m => m.Tokens).ThenBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal)
                .ToList());
    }

    /// <summary>
    /// Every tenant and user with usage in [from, to) (of one tenant when given): their limits, what they used and
    /// hold reserved in the current quota period, and when they were last active.
    /// </summary>
    public async Task<ScopeTable> ScopesAsync(string? tenantId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        if (tenantId is not null) RequestValidator.CheckId(tenantId, "tenantId");
        var (start, end) = admin.Range(from, to);
        var rows = await usage.AggregateAsync(new UsageQuery(tenantId, null, start, end), cancellationToken).ConfigureAwait(false);
        var period = QuotaPeriod.Containing(clock.GetUtcNow(), quotaOptions.Value.Period);
        var scopes = new List<ScopeRow>();
        var groups = rows.GroupBy(r => QuotaScope.Tenant(r.TenantId))
            .Concat(rows.GroupBy(r => QuotaScope.User(r.TenantId, r.UserId)))
            .OrderBy(g => g.Key.TenantId, StringComparer.Ordinal).ThenBy(g => g.Key.UserId ?? "", StringComparer.Ordinal)
            .Take(MaxScopes);
        foreach (var group in groups)
        {
            var counter = await quotas.GetCounterAsync(group.Key, period, cancellationToken).ConfigureAwait(false);
            var current = await quotas.GetOverrideAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var effective = await limits.ForAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var figures = QuotaFigures.Of(effective, counter, null);
            scopes.Add(new ScopeRow(group.Key.TenantId, group.Key.UserId, effective.Tokens, counter.Used, counter.Reserved, figures.Remaining,
                effective.RequestsPerMinute, current is not null, group.Sum(r => r.Requests), group.Sum(r => r.TotalTokens),
                group.Max(r => r.LastAt))
            {
                CostLimitUsd = figures.CostLimitUsd,
                CostUsedUsd = figures.CostUsedUsd,
                CostReservedUsd = figures.CostReservedUsd,
                CostRemainingUsd = figures.CostRemainingUsd,
            });
        }
        return new ScopeTable(period.Start, period.End, quotaOptions.Value.Period, scopes);
    }

    private static List<UsageRanking> Rank(IEnumerable<IGrouping<(string TenantId, string? UserId), UsageAggregate>> groups) =>
        groups.Select(g => new UsageRanking(g.Key.TenantId, g.Key.UserId, g.Sum(r => r.Requests), g.Sum(r => r.TotalTokens), g.Sum(r => r.CostUsd), g.Max(r => r.LastAt)))
            .OrderByDescending(r => r.Tokens).ThenBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.UserId ?? "", StringComparer.Ordinal)
            .Take(TopCount).ToList();

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>Nearest-rank percentile of ascending values; null when there are none.</summary>
    internal static long? Percentile(IReadOnlyList<long> ascending, double p) =>
        ascending.Count == 0 ? null : ascending[Math.Clamp((int)Math.Ceiling(p * ascending.Count) - 1, 0, ascending.Count - 1)];

    private static List<string> Days(DateTimeOffset start, DateTimeOffset end)
    {
        var days = new List<string>();
        for (var day = start.UtcDateTime.Date; day < end.UtcDateTime; day = day.AddDays(1))
            days.Add(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return days;
    }
}

public sealed record UsageOverview(DateTimeOffset From, DateTimeOffset To, string? TenantId, UsageTotals Totals, UsageSeries Series,
    IReadOnlyList<UsageRanking> TopTenants, IReadOnlyList<UsageRanking> TopUsers, IReadOnlyList<ModelUsage> Models);

/// <param name="CacheHitRatio">Answers from the response cache over all requests, 0 to 1.</param>
/// <param name="ErrorRate">Requests whose status is not ok over all requests, 0 to 1.</param>
public sealed record UsageTotals(long Requests, long PromptTokens, long CompletionTokens, decimal CostUsd, long CachedRequests,
    double CacheHitRatio, long ErrorRequests, double ErrorRate, long? P50LatencyMs, long? P95LatencyMs);

/// <summary>Per UTC day: one line per vendor (or vendor/model) with its requests and tokens on each day.</summary>
public sealed record UsageSeries(IReadOnlyList<string> Days, IReadOnlyList<UsageSeriesLine> Lines);

public sealed record UsageSeriesLine(string Label, IReadOnlyList<long> Requests, IReadOnlyList<long> Tokens);

public sealed record UsageRanking(string TenantId, string? UserId, long Requests, long Tokens, decimal CostUsd, DateTimeOffset LastAt);

public sealed record ModelUsage(string Provider, string Model, long Requests, long Tokens, decimal CostUsd);

public sealed record ScopeTable(DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, QuotaPeriodKind PeriodKind, IReadOnlyList<ScopeRow> Scopes);

/// <param name="TokenLimit">The limit in force; null = unlimited.</param>
/// <param name="Remaining">Tokens left in the period after used and reserved; null = unlimited.</param>
/// <param name="Overridden">Whether the limits come from an override rather than the defaults.</param>
public sealed record ScopeRow(string TenantId, string? UserId, long? TokenLimit, long Used, long Reserved, long? Remaining,
    int? RequestsPerMinute, bool Overridden, long Requests, long Tokens, DateTimeOffset? LastActivity)
{
    /// <summary>The money budget in force in USD; null = unlimited.</summary>
    public decimal? CostLimitUsd { get; init; }
    public decimal CostUsedUsd { get; init; }
    public decimal CostReservedUsd { get; init; }
    public decimal? CostRemainingUsd { get; init; }
}
