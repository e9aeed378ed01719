using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Storage;

/// <summary>The usage log and the token counters it feeds.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Stores the event and adds <paramref name="countedTokens"/> to its tenant's and user's counters for
    /// <paramref name="period"/>, all or nothing. Returns false, changing nothing, when the event id was seen before.
    /// </summary>
    Task<bool> RecordAsync(UsageEvent usage, QuotaPeriod period, long countedTokens, CancellationToken cancellationToken);

    /// <summary>Events of a tenant (and user) from <paramref name="from"/> on, newest first.</summary>
    Task<IReadOnlyList<UsageEvent>> ListAsync(string tenantId, string? userId, DateTimeOffset from, int limit, CancellationToken cancellationToken);
}

/// <summary>Token counters and per-scope limit overrides.</summary>
public interface IQuotaStore
{
    Task<long> GetUsedTokensAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken);

    Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken);

    Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken);

    /// <summary>Creates zero counters in <paramref name="current"/> for every scope that had one in <paramref name="previous"/>. Idempotent.</summary>
    Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken);
}

/// <summary>Prepares the store (schema, tables) at start-up and answers health probes.</summary>
public interface IStoreLifecycle
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
