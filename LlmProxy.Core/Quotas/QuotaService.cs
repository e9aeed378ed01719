using System.Globalization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// Token quotas by reserve-then-reconcile: admission reserves the call's <see cref="CallBound"/> (the most the vendor
/// can bill for it) against the tenant's and the user's limits in one atomic store step; the recorder settles the
/// reservation to what was charged when the call's usage event is recorded.
/// </summary>
public sealed class QuotaService(IQuotaStore store, QuotaLimits limits, RateLimiter rateLimiter, IOptions<QuotaOptions> options, TimeProvider clock)
{
    public QuotaPeriod CurrentPeriod() => QuotaPeriod.Containing(clock.GetUtcNow(), options.Value.Period);

    /// <summary>
    /// Reserves the call's bound, or refuses with 429 <c>quota_exceeded</c> (the remaining amount in the message
    /// and in <c>X-Quota-Remaining</c>, Retry-After until the period ends). Null when neither scope is limited.
    /// </summary>
    public async Task<QuotaReservation?> ReserveAsync(ProxyCall call, CallBound bound, CallLimits callLimits, CancellationToken cancellationToken)
    {
        var (tenant, user) = (callLimits.Tenant, callLimits.User);
        if (tenant.Tokens is null && user.Tokens is null) return null;

        var now = clock.GetUtcNow();
        var period = CurrentPeriod();
        var reservation = new QuotaReservation(Guid.CreateVersion7(now).ToString("N"), call.TenantId, call.UserId, period,
            bound.Total, now.AddSeconds(options.Value.ReservationTtlSeconds));
        var outcome = await store.TryReserveAsync(reservation, tenant.Tokens, user.Tokens, cancellationToken).ConfigureAwait(false);
        if (outcome.Admitted) return reservation;

        var scope = outcome.RefusedBy!.Value;
        var limit = scope.IsUser ? user.Tokens!.Value : tenant.Tokens!.Value;
        var remaining = Math.Max(0, limit - outcome.Counter.Used - outcome.Counter.Reserved);
        var who = scope.IsUser ? $"User '{call.UserId}' of tenant '{call.TenantId}'" : $"Tenant '{call.TenantId}'";
        throw new ProxyException(429, ErrorTypes.QuotaExceeded,
            $"{who} has {remaining} of its {limit} tokens left for the period ending {period.End:O}; this call needs up to {reservation.Tokens}.",
            retryAfter: period.End - now)
        {
            Headers = new Dictionary<string, string> { ["X-Quota-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture) },
        };
    }

    /// <summary>The reservation raised to <paramref name="tokens"/>, or null when a limit has no room for the difference.</summary>
    public async Task<QuotaReservation?> TryGrowAsync(QuotaReservation reservation, long tokens, CallLimits callLimits, CancellationToken cancellationToken)
    {
        var outcome = await store.TryGrowAsync(reservation, tokens, callLimits.Tenant.Tokens, callLimits.User.Tokens, cancellationToken).ConfigureAwait(false);
        return outcome.Admitted ? reservation with { Tokens = tokens } : null;
    }

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken) =>
        store.ReleaseAsync(reservation, cancellationToken);

    public async Task<QuotaStatus> GetStatusAsync(string tenantId, string? userId, CancellationToken cancellationToken)
    {
        var period = CurrentPeriod();
        var (tenantRate, userRate) = await rateLimiter.GetStateAsync(tenantId, userId, cancellationToken).ConfigureAwait(false);
        var tenant = await FiguresAsync(QuotaScope.Tenant(tenantId), period, tenantRate, cancellationToken).ConfigureAwait(false);
        var own = userId is null ? tenant : await FiguresAsync(QuotaScope.User(tenantId, userId), period, userRate, cancellationToken).ConfigureAwait(false);
        return new QuotaStatus
        {
            TenantId = tenantId,
            UserId = userId,
            PeriodKind = options.Value.Period,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            Limit = own.Limit,
            Used = own.Used,
            Reserved = own.Reserved,
            Remaining = own.Remaining,
            RequestsPerMinute = own.RequestsPerMinute,
            RateLimit = own.RateLimit,
            Tenant = tenant,
        };
    }

    private async Task<QuotaFigures> FiguresAsync(QuotaScope scope, QuotaPeriod period, RateLimitState? rate, CancellationToken cancellationToken)
    {
        var limit = await limits.ForAsync(scope, cancellationToken).ConfigureAwait(false);
        var counter = await store.GetCounterAsync(scope, period, cancellationToken).ConfigureAwait(false);
        return new QuotaFigures(limit.Tokens, counter.Used, counter.Reserved,
            limit.Tokens is { } l ? Math.Max(0, l - counter.Used - counter.Reserved) : null, limit.RequestsPerMinute, rate);
    }
}
