using System.Globalization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// Token quotas by reserve-then-reconcile: admission reserves an estimate of the call (prompt tokens plus the
/// completion tokens it may ask for) against the tenant's and the user's limits in one atomic store step; the
/// recorder settles the reservation to the real usage when the call's usage event is recorded.
/// </summary>
public sealed class QuotaService(IQuotaStore store, QuotaLimits limits, RateLimiter rateLimiter, IOptions<QuotaOptions> options, TimeProvider clock)
{
    public QuotaPeriod CurrentPeriod() => QuotaPeriod.Containing(clock.GetUtcNow(), options.Value.Period);

    /// <summary>
    /// An upper bound of the prompt's text tokens (its UTF-8 bytes: BPE and SentencePiece tokens each cover one byte or
    /// more), plus the requested (or default) completion tokens for each choice. An estimate that cannot fall short
    /// means the estimate is not what lets a scope pass its limit; the price is that a call near the limit may be
    /// refused a little early. The recorder settles the reservation to the vendor's real usage.
    /// </summary>
    public long Estimate(ProxyCall call)
    {
        var request = call.Request;
        var completion = (long)(request.MaxCompletionTokens ?? request.MaxTokens ?? options.Value.DefaultMaxTokens);
        return TokenEstimator.PromptUpperBound(request.Messages ?? []) + completion * (request.N ?? 1);
    }

    /// <summary>
    /// Reserves the call's estimate, or refuses with <see cref="QuotaRefusal"/> (the remaining amount in the message
    /// and in <c>X-Quota-Remaining</c>). Null when neither scope is limited.
    /// </summary>
    public async Task<QuotaReservation?> ReserveAsync(ProxyCall call, CallLimits callLimits, CancellationToken cancellationToken)
    {
        var (tenant, user) = (callLimits.Tenant, callLimits.User);
        if (tenant.Tokens is null && user.Tokens is null) return null;

        var now = clock.GetUtcNow();
        var period = CurrentPeriod();
        var reservation = new QuotaReservation(Guid.CreateVersion7(now).ToString("N"), call.TenantId, call.UserId, period,
            Estimate(call), now.AddSeconds(options.Value.ReservationTtlSeconds));
        var outcome = await store.TryReserveAsync(reservation, tenant.Tokens, user.Tokens, cancellationToken).ConfigureAwait(false);
        if (outcome.Admitted) return reservation;

        var scope = outcome.RefusedBy!.Value;
        var limit = scope.IsUser ? user.Tokens!.Value : tenant.Tokens!.Value;
        var remaining = Math.Max(0, limit - outcome.Counter.Used - outcome.Counter.Reserved);
        var who = scope.IsUser ? $"User '{call.UserId}' of tenant '{call.TenantId}'" : $"Tenant '{call.TenantId}'";
        throw QuotaRefusal.Create(
            $"{who} has {remaining} of its {limit} tokens left for the period ending {period.End:O}; this call needs up to {reservation.Tokens}.",
            period.End, [new(QuotaRefusal.RemainingHeader, remaining.ToString(CultureInfo.InvariantCulture))]);
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
