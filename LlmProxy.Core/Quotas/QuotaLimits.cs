using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Quotas;

/// <summary>The limits in force for a scope: its override in the store, else the defaults in settings.</summary>
public sealed class QuotaLimits(IQuotaStore store, IOptions<QuotaOptions> options)
{
    public async Task<EffectiveLimits> ForAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var overrides = await store.GetOverrideAsync(scope, cancellationToken).ConfigureAwait(false);
        var tokens = overrides?.TokenLimit ?? (scope.IsUser ? settings.DefaultUserTokens : settings.DefaultTenantTokens);
        var rpm = overrides?.RequestsPerMinute ?? (scope.IsUser ? settings.RequestsPerMinutePerUser : settings.RequestsPerMinutePerTenant);
        var cost = overrides?.CostLimitUsd ?? (scope.IsUser ? settings.DefaultUserCostLimitUsd : settings.DefaultTenantCostLimitUsd);
        return new EffectiveLimits(tokens > 0 ? tokens : null, rpm > 0 ? rpm : null, cost > 0 ? Nanodollars.LimitOf(cost) : null);
    }

    /// <summary>Every scope of a call (tenant, user, and the publishable key's budget), read once for its rate limit and its reservation.</summary>
    /// <param name="userCeiling">Limits the caller's credential puts on the user (<see cref="Proxy.ProxyCall.UserCeiling"/>).</param>
    public async Task<CallLimits> ForCallAsync(string tenantId, string userId, KeyBudget? key, EffectiveLimits? userCeiling, CancellationToken cancellationToken)
    {
        var user = await ForAsync(QuotaScope.User(tenantId, userId), cancellationToken).ConfigureAwait(false);
        return new(await ForAsync(QuotaScope.Tenant(tenantId), cancellationToken).ConfigureAwait(false),
            userCeiling is { } ceiling ? user.Within(ceiling) : user)
        {
            KeyId = key?.KeyId,
            Key = key?.Limits ?? default,
        };
    }
}

/// <summary>A publishable key's own limits per period (fixed at its creation); null = none of that kind.</summary>
public sealed record KeyBudget(string KeyId, long? TokenLimit, decimal? CostLimitUsd)
{
    public EffectiveLimits Limits => new(TokenLimit, null, CostLimitUsd is { } cost ? Nanodollars.LimitOf(cost) : null);
}

/// <summary>Null means unlimited. <paramref name="CostNanodollars"/> is the money budget in <see cref="Nanodollars"/>.</summary>
public readonly record struct EffectiveLimits(long? Tokens, int? RequestsPerMinute, long? CostNanodollars = null)
{
    /// <summary>Whether a reservation must hold tokens or money against this scope.</summary>
    public bool LimitsUsage => Tokens is not null || CostNanodollars is not null;

    /// <summary>Whether a reservation of <paramref name="tokens"/> and <paramref name="cost"/> fits beside what the counter holds.</summary>
    public bool Admits(Storage.QuotaCounter counter, long tokens, long cost) =>
        (Tokens is not { } maxTokens || counter.Used + counter.Reserved + tokens <= maxTokens)
        && (CostNanodollars is not { } maxCost || counter.CostUsed + counter.CostReserved + cost <= maxCost);

    /// <summary>The tighter of these limits and <paramref name="ceiling"/>, each kind on its own.</summary>
    public EffectiveLimits Within(EffectiveLimits ceiling) =>
        new(Tighter(Tokens, ceiling.Tokens), Tighter(RequestsPerMinute, ceiling.RequestsPerMinute), Tighter(CostNanodollars, ceiling.CostNanodollars));

    private static T? Tighter<T>(T? limit, T? ceiling) where T : struct, IComparable<T> =>
        limit is null ? ceiling : ceiling is null ? limit : limit.Value.CompareTo(ceiling.Value) <= 0 ? limit : ceiling;
}

/// <summary>
/// The limits of every scope a call counts against: its tenant, its user and, for a publishable key with a budget of
/// its own, that key (<see cref="KeyId"/> and <see cref="Key"/>).
/// </summary>
public readonly record struct CallLimits(EffectiveLimits Tenant, EffectiveLimits User)
{
    public string? KeyId { get; init; }
    public EffectiveLimits Key { get; init; }

    /// <summary>Every limited scope of the call with its limits, the user first.</summary>
    public IEnumerable<(QuotaScope Scope, EffectiveLimits Limits)> Limited(string tenantId, string userId)
    {
        if (User.LimitsUsage) yield return (QuotaScope.User(tenantId, userId), User);
        if (Tenant.LimitsUsage) yield return (QuotaScope.Tenant(tenantId), Tenant);
        if (KeyId is not null && Key.LimitsUsage) yield return (QuotaScope.ApiKey(tenantId, KeyId), Key);
    }

    public bool LimitsUsage => Tenant.LimitsUsage || User.LimitsUsage || (KeyId is not null && Key.LimitsUsage);

    public bool LimitsMoney => Tenant.CostNanodollars is not null || User.CostNanodollars is not null || (KeyId is not null && Key.CostNanodollars is not null);
}
