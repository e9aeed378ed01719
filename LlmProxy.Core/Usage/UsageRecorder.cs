using LlmProxy.Core.Caching;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Writes a usage event and its tokens to the store. Idempotent by event id, because queue delivery is at
/// least once: a redelivered message changes nothing.
/// </summary>
public sealed class UsageRecorder(IUsageStore store, IOptions<QuotaOptions> quotaOptions, IOptions<ResponseCacheOptions> cacheOptions, ILogger<UsageRecorder> log)
{
    private readonly Lock _gate = new();
    private readonly List<(long Count, bool NewOnly, TaskCompletionSource Done)> _waiters = [];
    private long _handled;
    private long _recorded;

    /// <summary>Events handled by this instance (recorded or recognised as duplicates).</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>Events this instance recorded for the first time (duplicates not counted).</summary>
    public long RecordedCount => Interlocked.Read(ref _recorded);

    /// <returns>True when the event was new; false for a duplicate.</returns>
    public async Task<bool> RecordAsync(UsageEvent usage, CancellationToken cancellationToken)
    {
        var period = QuotaPeriod.Containing(usage.Timestamp, quotaOptions.Value.Period);
        var counted = usage.Cached && !cacheOptions.Value.CountCachedTokensAgainstQuota ? 0 : usage.TotalTokens;
        var recorded = await store.RecordAsync(usage, period, counted, cancellationToken).ConfigureAwait(false);
        if (recorded)
            log.LogDebug("Recorded usage {UsageId}: {Tenant}/{User} {Provider}/{Model} {Tokens} tokens", usage.Id, usage.TenantId, usage.UserId, usage.Provider, usage.Model, counted);
        else
            log.LogInformation("Usage event {UsageId} was already recorded; duplicate delivery ignored", usage.Id);
        Handled(recorded);
        return recorded;
    }

    /// <summary>Completes once this instance has handled at least <paramref name="count"/> events in all.</summary>
    public Task WhenHandledAsync(long count, CancellationToken cancellationToken) => WhenAsync(count, newOnly: false, cancellationToken);

    /// <summary>Completes once this instance has recorded at least <paramref name="count"/> new events in all.</summary>
    public Task WhenRecordedAsync(long count, CancellationToken cancellationToken) => WhenAsync(count, newOnly: true, cancellationToken);

    private Task WhenAsync(long count, bool newOnly, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if ((newOnly ? _recorded : _handled) >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, newOnly, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void Handled(bool recorded)
    {
        lock (_gate)
        {
            _handled++;
            if (recorded) _recorded++;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count > (_waiters[i].NewOnly ? _recorded : _handled)) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
