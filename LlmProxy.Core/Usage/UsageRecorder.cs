using LlmProxy.Core.Caching;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Writes a usage event and its tokens and money to the store. Idempotent by event id, because queue delivery is at
/// least once: a redelivered message changes nothing.
/// </summary>
public sealed class UsageRecorder(IUsageStore store, IOptions<QuotaOptions> quotaOptions, IOptions<ResponseCacheOptions> cacheOptions, ILogger<UsageRecorder> log)
{
    private readonly HandledCounter _handled = new();
    private readonly HandledCounter _recorded = new();

    /// <summary>Events handled by this instance (recorded or recognised as duplicates).</summary>
    public long HandledCount => _handled.Count;

    /// <summary>Events this instance recorded for the first time (duplicates not counted).</summary>
    public long RecordedCount => _recorded.Count;

    /// <returns>True when the event was new; false for a duplicate.</returns>
    public async Task<bool> RecordAsync(UsageEvent usage, CancellationToken cancellationToken) =>
        (await RecordManyAsync([usage], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Several events at once (the store may write them together); one result per event, in order.</summary>
    public async Task<IReadOnlyList<bool>> RecordManyAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        var batch = new UsageToRecord[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var usage = events[i];
            // A cached answer counts (tokens and money) only when the settings say cached answers count.
            var counts = !usage.Cached || cacheOptions.Value.CountCachedTokensAgainstQuota;
            batch[i] = new UsageToRecord(usage, QuotaPeriod.Containing(usage.Timestamp, quotaOptions.Value.Period),
                counts ? usage.TotalTokens : 0, counts && usage.CostUsd is { } cost ? Nanodollars.CostOf(cost) : 0);
        }
        var results = await store.RecordManyAsync(batch, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < batch.Length; i++)
        {
            var (usage, _, counted, _) = batch[i];
            if (results[i])
                log.LogDebug("Recorded usage {UsageId}: {Tenant}/{User} {Provider}/{Model} {Tokens} tokens", usage.Id, usage.TenantId, usage.UserId, usage.Provider, usage.Model, counted);
            else
                log.LogInformation("Usage event {UsageId} was already recorded; duplicate delivery ignored", usage.Id);
            // Recorded first: a waiter on "handled" then also sees the recorded count up to date.
            if (results[i]) _recorded.Add();
            _handled.Add();
        }
        return results;
    }

    /// <summary>Completes once this instance has handled at least <paramref name="count"/> events in all.</summary>
    public Task WhenHandledAsync(long count, CancellationToken cancellationToken) => _handled.WhenAtLeastAsync(count, cancellationToken);

    /// <summary>Completes once this instance has recorded at least <paramref name="count"/> new events in all.</summary>
    public Task WhenRecordedAsync(long count, CancellationToken cancellationToken) => _recorded.WhenAtLeastAsync(count, cancellationToken);
}
