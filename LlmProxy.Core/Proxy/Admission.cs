using LlmProxy.Core.Errors;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The admission steps every kind of call takes before a vendor is called (chat, embeddings): whether its usage can be
/// recorded at all (the usage outbox), the caller's limits, the request counted in the rate windows, and the quota
/// reservation of the most the call can be billed. A refusal of the reservation carries the rate-limit headers the call
/// had earned, like an answer would.
/// </summary>
public sealed class Admission(UsageOutbox outbox, QuotaLimits limits, RateLimiter rateLimiter, QuotaService quotas)
{
    /// <summary>
    /// Counts the request for the user and the tenant; 429 <c>rate_limit_exceeded</c> when a window is full, and first
    /// 503 <c>metering_unavailable</c> while usage cannot be recorded in time (fail closed: no call served unmetered).
    /// </summary>
    /// <param name="key">The budget of the publishable key calling, if one is.</param>
    /// <param name="userCeiling">The limits an end-user token caps its user at, if the call carries one.</param>
    public async Task<AdmittedRequest> CountRequestAsync(string tenantId, string userId, KeyBudget? key, EffectiveLimits? userCeiling,
        CancellationToken cancellationToken)
    {
        outbox.EnsureAdmitting();
        var callLimits = await limits.ForCallAsync(tenantId, userId, key, userCeiling, cancellationToken).ConfigureAwait(false);
        var rate = await rateLimiter.AcquireAsync(tenantId, userId, callLimits, cancellationToken).ConfigureAwait(false);
        return new AdmittedRequest(tenantId, userId, callLimits, rate is null ? [] : new Dictionary<string, string>(rate.ToHeaders()));
    }

    /// <summary>
    /// Reserves <paramref name="bound"/> for the request, in tokens and, priced at the dearest of
    /// <paramref name="answerers"/> (the vendor and model the call names, then its fallbacks), in money; 429
    /// <c>insufficient_quota</c> (<see cref="QuotaRefusal"/>) when a scope has too little left.
    /// </summary>
    public async Task<QuotaReservation?> ReserveAsync(AdmittedRequest request, CallBound bound, IReadOnlyList<(string Provider, string Model)> answerers,
        CancellationToken cancellationToken)
    {
        try
        {
            return await quotas.ReserveAsync(request.TenantId, request.UserId, bound, request.Limits, answerers, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxyException e)
        {
            throw e.WithHeaders(request.Headers);
        }
    }
}

/// <summary>A request counted by <see cref="Admission"/>: whose it is, its limits, and the response headers it has earned so far.</summary>
public sealed record AdmittedRequest(string TenantId, string UserId, CallLimits Limits, Dictionary<string, string> Headers);
