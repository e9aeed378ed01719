using LlmProxy.Core.Errors;
using LlmProxy.Core.Storage;

namespace LlmProxy.Core.Quotas;

/// <summary>
/// Requests per minute per user and per tenant, counted in fixed one-minute windows in the store so that every
/// instance shares one count.
/// </summary>
public sealed class RateLimiter(IRateLimitStore store, QuotaLimits limits, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Counts the call, or refuses it with 429 <c>rate_limit_exceeded</c>. Null when neither scope is limited.</summary>
    public async Task<RateLimitState?> AcquireAsync(string tenantId, string userId, CallLimits callLimits, CancellationToken cancellationToken)
    {
        var (user, tenant) = (callLimits.User.RequestsPerMinute, callLimits.Tenant.RequestsPerMinute);
        if (user is null && tenant is null) return null;

        var now = clock.GetUtcNow();
        var window = WindowStart(now);
        var decision = await store.TryAcquireAsync(tenantId, userId, window, tenant, user, cancellationToken).ConfigureAwait(false);
        var state = Tightest(user, tenant, decision.Counts, window + Window)!;
        if (decision.Admitted) return state;

        throw Refusal(decision.RefusedBy is { IsUser: true } ? $"User '{userId}' of tenant '{tenantId}'" : $"Tenant '{tenantId}'", state, now);
    }

    /// <summary>
    /// Counts the call in one more window, beside the tenant's and user's: <paramref name="member"/> of the group
    /// <paramref name="group"/> (a publishable key's per-IP or per-user window). The store keeps it as the user
    /// scope of a pseudo-tenant named by the group, so it shares the store's atomic counting and never a real
    /// tenant's windows. Refuses with 429 <c>rate_limit_exceeded</c> naming <paramref name="who"/>.
    /// </summary>
    public async Task<RateLimitState> AcquireExtraAsync(string group, string member, int limit, string who, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var window = WindowStart(now);
        var decision = await store.TryAcquireAsync(group, member, window, null, limit, cancellationToken).ConfigureAwait(false);
        var state = Tightest(limit, null, decision.Counts, window + Window)!;
        return decision.Admitted ? state : throw Refusal(who, state, now);
    }

    private static ProxyException Refusal(string who, RateLimitState state, DateTimeOffset now) =>
        new(429, ErrorTypes.RateLimited, $"{who} has made its {state.Limit} requests this minute. Try again after {state.ResetAt:O}.",
            retryAfter: state.ResetAt - now)
        {
            Headers = state.ToHeaders(),
        };

    /// <summary>The current window of each scope, without counting anything; null for an unlimited scope.</summary>
    public async Task<(RateLimitState? Tenant, RateLimitState? User)> GetStateAsync(string tenantId, string? userId, CancellationToken cancellationToken)
    {
        var window = WindowStart(clock.GetUtcNow());
        var tenant = (await limits.ForAsync(QuotaScope.Tenant(tenantId), cancellationToken).ConfigureAwait(false)).RequestsPerMinute;
        var user = userId is null ? null : (await limits.ForAsync(QuotaScope.User(tenantId, userId), cancellationToken).ConfigureAwait(false)).RequestsPerMinute;
        var counts = await store.GetCountsAsync(tenantId, userId ?? "", window, cancellationToken).ConfigureAwait(false);
        var reset = window + Window;
        return (Tightest(null, tenant, counts, reset), userId is null ? null : Tightest(user, null, counts, reset));
    }

    private static RateLimitState? Tightest(int? userLimit, int? tenantLimit, RateCounts counts, DateTimeOffset reset)
    {
        RateLimitState? userState = userLimit is { } u ? new(u, Math.Max(0, u - counts.User), reset) : null;
        RateLimitState? tenantState = tenantLimit is { } t ? new(t, Math.Max(0, t - counts.Tenant), reset) : null;
        if (userState is null) return tenantState;
        if (tenantState is null) return userState;
        return tenantState.Remaining < userState.Remaining ? tenantState : userState;
    }

    private static DateTimeOffset WindowStart(DateTimeOffset now) =>
        new(now.UtcTicks - now.UtcTicks % Window.Ticks, TimeSpan.Zero);
}
