using LlmProxy.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// Opens the current period's counters for every scope active in the previous one. Counters are keyed by
/// period, so admission never waits for this: a period that nobody opened starts at zero when first touched.
/// Running it twice, or late, changes nothing.
/// </summary>
public sealed class QuotaPeriodResetter(IQuotaStore store, IOptions<QuotaOptions> options, TimeProvider clock, ILogger<QuotaPeriodResetter> log)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var kind = options.Value.Period;
        var current = QuotaPeriod.Containing(clock.GetUtcNow(), kind);
        var opened = await store.OpenPeriodAsync(current.Previous(kind), current, cancellationToken).ConfigureAwait(false);
        log.LogInformation("Quota period {Period} opened for {Count} new counters", current.Key, opened);
        return opened;
    }
}
