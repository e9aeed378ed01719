using LlmProxy.Core.Caching;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.RequestLog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core;

/// <summary>
/// What the timer runs: opens the new quota period's counters, then deletes expired cache entries and request-log
/// entries past their retention. Every step is idempotent, so a late or repeated run changes nothing more.
/// </summary>
public sealed class Housekeeping(QuotaPeriodResetter periods, IResponseCacheStore cache, IRequestLogStore requestLog, IOptions<RequestLogOptions> logOptions,
    TimeProvider clock, ILogger<Housekeeping> log)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await periods.RunAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var expired = await cache.PurgeExpiredAsync(now, cancellationToken).ConfigureAwait(false);
        var old = await requestLog.DeleteOlderThanAsync(now.AddDays(-logOptions.Value.RetentionDays), cancellationToken).ConfigureAwait(false);
        log.LogInformation("Housekeeping removed {Expired} expired cache entries and {Old} request-log entries", expired, old);
    }
}
