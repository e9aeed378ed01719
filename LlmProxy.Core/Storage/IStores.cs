using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Storage;

/// <summary>The usage log and the token counters it feeds.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Stores the event, adds its counted tokens and money to its tenant's, user's and (when it names one) key's
    /// counters for its period and settles the event's quota reservation (if it still exists), all or nothing.
    /// Returns false, changing nothing, when the event id was seen before.
    /// </summary>
    Task<bool> RecordAsync(UsageToRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Records several events as <see cref="RecordAsync"/> does, one result per event in order. A store that can
    /// write them together overrides this (SQLite: one transaction for the batch).
    /// </summary>
    async Task<IReadOnlyList<bool>> RecordManyAsync(IReadOnlyList<UsageToRecord> batch, CancellationToken cancellationToken)
    {
        var results = new bool[batch.Count];
        for (var i = 0; i < batch.Count; i++)
            results[i] = await RecordAsync(batch[i], cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Events of a tenant (and user) from <paramref name="from"/> on, newest first.</summary>
    Task<IReadOnlyList<UsageEvent>> ListAsync(string tenantId, string? userId, DateTimeOffset from, int limit, CancellationToken cancellationToken);

    /// <summary>Event counts and token sums per tenant, user, vendor, model and UTC day in [From, To).</summary>
    Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageQuery query, CancellationToken cancellationToken);

    /// <summary>The latencies of the events in [From, To), ascending, for percentiles.</summary>
    Task<IReadOnlyList<long>> LatenciesAsync(UsageQuery query, CancellationToken cancellationToken);
}

/// <summary>Token and money counters, reservations against them, and per-scope limit overrides.</summary>
public interface IQuotaStore
{
    /// <summary>Used and live (unexpired) reserved tokens and money of a scope in a period.</summary>
    Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically checks, for every scope of the call that has a limit (<see cref="CallLimits.Limited"/>), used +
    /// reserved + the reservation against each of its token and money limits, and records the reservation in all of
    /// them only if every check passes.
    /// </summary>
    Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, CallLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// Raises a live reservation to <paramref name="tokens"/> and <paramref name="cost"/> (nano-dollars; neither below
    /// what it holds) if every limited scope of the call still has room for the difference, atomically as
    /// <see cref="TryReserveAsync"/>; refused when a limit has no room or the reservation is no longer live. A fallback
    /// attempt grows its call's reservation this way.
    /// </summary>
    Task<ReserveOutcome> TryGrowAsync(QuotaReservation reservation, long tokens, long cost, CallLimits limits, CancellationToken cancellationToken);

    /// <summary>Drops a reservation whose call will record no usage event. Idempotent.</summary>
    Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken);

    Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken);

    Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken);

    /// <summary>Creates zero counters in <paramref name="current"/> for every scope that had one in <paramref name="previous"/>. Idempotent.</summary>
    Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken);
}

/// <summary>Request counters per one-minute window, shared by every instance.</summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Counts one request in the window starting at <paramref name="window"/> for each of the tenant and the user
    /// that has a limit (null = unlimited, not counted), if neither is at its limit; atomically, both or neither.
    /// </summary>
    Task<RateDecision> TryAcquireAsync(string tenantId, string userId, DateTimeOffset window, int? tenantLimit, int? userLimit, CancellationToken cancellationToken);

    /// <summary>Requests counted so far in a window.</summary>
    Task<RateCounts> GetCountsAsync(string tenantId, string userId, DateTimeOffset window, CancellationToken cancellationToken);
}

/// <summary>Prepares the store (schema, tables) at start-up and answers health probes.</summary>
public interface IStoreLifecycle
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>A scope's figures in a period: tokens, and money in <see cref="Nanodollars"/>.</summary>
public readonly record struct QuotaCounter(long Used, long Reserved, long CostUsed = 0, long CostReserved = 0);

/// <summary>A usage event with the quota period it falls in and the tokens and money (<see cref="Nanodollars"/>) it counts against the quotas.</summary>
public readonly record struct UsageToRecord(UsageEvent Usage, QuotaPeriod Period, long CountedTokens, long CountedCost);

/// <summary>
/// Tokens and money held for one admitted call until its usage event is recorded, or until <see cref="ExpiresAt"/>:
/// against its tenant and user and, when <see cref="KeyId"/> is set, the publishable key's budget.
/// </summary>
public sealed record QuotaReservation(string Id, string TenantId, string UserId, QuotaPeriod Period, long Tokens, DateTimeOffset ExpiresAt)
{
    /// <summary>The most the call may cost, in <see cref="Nanodollars"/>.</summary>
    public long Cost { get; init; }

    public string? KeyId { get; init; }
}

/// <summary>Whether a reservation was taken; when refused, which scope refused and its figures at that moment.</summary>
public sealed record ReserveOutcome(bool Admitted, QuotaScope? RefusedBy, QuotaCounter Counter)
{
    public static ReserveOutcome Refused(QuotaScope scope, QuotaCounter counter) => new(false, scope, counter);
}

public readonly record struct RateCounts(int Tenant, int User);

/// <summary>Counts after the request was counted, or as they stood when it was refused.</summary>
public sealed record RateDecision(bool Admitted, QuotaScope? RefusedBy, RateCounts Counts);

/// <summary>Filters of a usage aggregate; null = any.</summary>
public sealed record UsageQuery(string? TenantId, string? UserId, DateTimeOffset From, DateTimeOffset To);

/// <param name="ErrorRequests">Events whose status is not ok.</param>
/// <param name="CostUsd">Sum of the events' known costs (events of unpriced models add nothing).</param>
/// <param name="LastAt">The group's newest event.</param>
public sealed record UsageAggregate(string TenantId, string UserId, string Provider, string Model, string Day,
    long Requests, long PromptTokens, long CompletionTokens, long TotalTokens,
    long CachedRequests, long ErrorRequests, decimal CostUsd, DateTimeOffset LastAt);
