using System.Globalization;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// Token and money quotas by reserve-then-reconcile: admission reserves the call's <see cref="CallBound"/> (the most
/// the vendor can bill for it) in tokens and, at the model's highest prices, in money, against the limits of its
/// tenant, user and publishable key in one atomic store step; the recorder settles the reservation to what was charged
/// when the call's usage event is recorded.
/// </summary>
public sealed class QuotaService(IQuotaStore store, QuotaLimits limits, RateLimiter rateLimiter, ModelCatalog catalog, IOptions<QuotaOptions> options, TimeProvider clock)
{
    public QuotaPeriod CurrentPeriod() => QuotaPeriod.Containing(clock.GetUtcNow(), options.Value.Period);

    /// <summary>
    /// Reserves the call's bound in tokens and, priced at the highest prices of the models that may answer it
    /// (<paramref name="answerers"/>: the vendor and model it names, then its fallbacks), in money; or refuses with
    /// <see cref="QuotaRefusal"/> (what is left in the message and in <c>X-Quota-Remaining</c> or
    /// <c>X-Quota-Remaining-Usd</c>, the period's end in <c>X-Quota-Reset</c>). A call that a money budget applies to and that
    /// a model without a price may answer is refused with 400 naming the model. Null when no scope is limited.
    /// </summary>
    public async Task<QuotaReservation?> ReserveAsync(string tenantId, string userId, CallBound bound, CallLimits callLimits,
        IReadOnlyList<(string Provider, string Model)> answerers, CancellationToken cancellationToken)
    {
        if (!callLimits.LimitsUsage) return null;

        var now = clock.GetUtcNow();
        var period = CurrentPeriod();
        var reservation = new QuotaReservation(Guid.CreateVersion7(now).ToString("N"), tenantId, userId, period,
            bound.Total, now.AddSeconds(options.Value.ReservationTtlSeconds))
        {
            Cost = callLimits.LimitsMoney ? CostBound(tenantId, userId, callLimits, bound, answerers) : 0,
            KeyId = callLimits.KeyId,
        };
        var outcome = await store.TryReserveAsync(reservation, callLimits, cancellationToken).ConfigureAwait(false);
        if (outcome.Admitted) return reservation;

        var scope = outcome.RefusedBy!.Value;
        var limit = callLimits.Limited(tenantId, userId).First(l => l.Scope == scope).Limits;
        var counter = outcome.Counter;
        var who = Who(scope);
        if (limit.Tokens is { } tokens && counter.Used + counter.Reserved + reservation.Tokens > tokens)
        {
            var remaining = Math.Max(0, tokens - counter.Used - counter.Reserved);
            throw QuotaRefusal.Create(
                $"{who} has {remaining} of its {tokens} tokens left for the period ending {period.End:O}; this call needs up to {reservation.Tokens}.",
                period.End, [new(QuotaRefusal.RemainingHeader, remaining.ToString(CultureInfo.InvariantCulture))]);
        }
        var budget = limit.CostNanodollars!.Value;
        var left = Math.Max(0, budget - counter.CostUsed - counter.CostReserved);
        throw QuotaRefusal.Create(
            $"{who} has ${Usd(left)} of its ${Usd(budget)} budget left for the period ending {period.End:O}; this call may cost up to ${Usd(reservation.Cost)}.",
            period.End, [new(QuotaRefusal.RemainingUsdHeader, Usd(left))]);
    }

    /// <summary>
    /// Before a fallback attempt: the reservation raised to cover what the call has been charged so far
    /// (<paramref name="chargedTokens"/>, <paramref name="chargedCostUsd"/>) plus the bound of the next attempt at the
    /// next model's prices; the same reservation when it already covers that, null when a limit has no room for the
    /// difference (the fallback is then not tried).
    /// </summary>
    public async Task<QuotaReservation?> TryCoverAsync(QuotaReservation reservation, long chargedTokens, decimal chargedCostUsd, CallBound next,
        (string Provider, string Model) nextAnswerer, CallLimits callLimits, CancellationToken cancellationToken)
    {
        var tokens = Math.Max(reservation.Tokens, chargedTokens + next.Total);
        var cost = callLimits.LimitsMoney
            ? Math.Max(reservation.Cost, Nanodollars.CostOf(chargedCostUsd) + CostBound(reservation.TenantId, reservation.UserId, callLimits, next, [nextAnswerer]))
            : reservation.Cost;
        if (tokens == reservation.Tokens && cost == reservation.Cost) return reservation;
        var outcome = await store.TryGrowAsync(reservation, tokens, cost, callLimits, cancellationToken).ConfigureAwait(false);
        return outcome.Admitted ? reservation with { Tokens = tokens, Cost = cost } : null;
    }

    /// <summary>The most the call can cost at any of the models that may answer it; every one of them must have a price.</summary>
    private long CostBound(string tenantId, string userId, CallLimits callLimits, CallBound bound, IReadOnlyList<(string Provider, string Model)> answerers)
    {
        decimal most = 0;
        foreach (var (provider, model) in answerers)
        {
            if (catalog.Find(provider, model)?.Prices is not { } prices)
            {
                var budget = callLimits.Limited(tenantId, userId).First(l => l.Limits.CostNanodollars is not null).Scope;
                throw ProxyException.BadRequest(
                    $"'{provider}/{model}' has no price in the price book, and {Who(budget)} has a money budget that every call is charged against. " +
                    $"Pick a priced model (GET /v1/models), or an operator can price it with LlmProxy:Models:{provider}:{model}:InputPricePerMillion, OutputPricePerMillion and PricesAsOf.",
                    "model");
            }
            most = Math.Max(most, prices.UpperBound(bound.PromptTokens, bound.OutputTokens));
        }
        return Nanodollars.CostOf(most);
    }

    private static string Who(QuotaScope scope) =>
        scope.KeyId is { } keyId ? $"Publishable key '{keyId}' of tenant '{scope.TenantId}'"
        : scope.UserId is { } userId ? $"User '{userId}' of tenant '{scope.TenantId}'"
        : $"Tenant '{scope.TenantId}'";

    private static string Usd(long nanodollars) => Nanodollars.ToUsd(nanodollars).ToString("0.#########", CultureInfo.InvariantCulture);

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
            CostLimitUsd = own.CostLimitUsd,
            CostUsedUsd = own.CostUsedUsd,
            CostReservedUsd = own.CostReservedUsd,
            CostRemainingUsd = own.CostRemainingUsd,
            RequestsPerMinute = own.RequestsPerMinute,
            RateLimit = own.RateLimit,
            Tenant = tenant,
        };
    }

    /// <summary>A publishable key's own budget in the current period: its limits and what its calls used and hold.</summary>
    public async Task<QuotaFigures> KeyFiguresAsync(string tenantId, KeyBudget budget, CancellationToken cancellationToken) =>
        QuotaFigures.Of(budget.Limits,
            await store.GetCounterAsync(QuotaScope.ApiKey(tenantId, budget.KeyId), CurrentPeriod(), cancellationToken).ConfigureAwait(false), null);

    private async Task<QuotaFigures> FiguresAsync(QuotaScope scope, QuotaPeriod period, RateLimitState? rate, CancellationToken cancellationToken)
    {
        var limit = await limits.ForAsync(scope, cancellationToken).ConfigureAwait(false);
        var counter = await store.GetCounterAsync(scope, period, cancellationToken).ConfigureAwait(false);
        return QuotaFigures.Of(limit, counter, rate);
    }
}
