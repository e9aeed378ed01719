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
        return new EffectiveLimits(tokens > 0 ? tokens : null, rpm > 0 ? rpm : null);
    }

    /// <summary>Both scopes of a call, read once for its rate limit and its reservation.</summary>
    /// <param name="userCeiling">Limits the caller's credential puts on the user (<see cref="Proxy.ProxyCall.UserCeiling"/>).</param>
    public async Task<CallLimits> ForCallAsync(string tenantId, string userId, EffectiveLimits? userCeiling, CancellationToken cancellationToken)
    {
        var user = await ForAsync(QuotaScope.User(tenantId, userId), cancellationToken).ConfigureAwait(false);
        return new(await ForAsync(QuotaScope.Tenant(tenantId), cancellationToken).ConfigureAwait(false),
            userCeiling is { } ceiling ? user.Within(ceiling) : user);
    }
}

/// <summary>Null means unlimited.</summary>
public readonly record struct EffectiveLimits(long? Tokens, int? RequestsPerMinute)
{
    /// <summary>The tighter of these limits and <paramref name="ceiling"/>, each on its own.</summary>
    public EffectiveLimits Within(EffectiveLimits ceiling) =>
        new(Tighter(Tokens, ceiling.Tokens), Tighter(RequestsPerMinute, ceiling.RequestsPerMinute));

    private static T? Tighter<T>(T? limit, T? ceiling) where T : struct, IComparable<T> =>
        limit is null ? ceiling : ceiling is null ? limit : limit.Value.CompareTo(ceiling.Value) <= 0 ? limit : ceiling;
}

public readonly record struct CallLimits(EffectiveLimits Tenant, EffectiveLimits User);
