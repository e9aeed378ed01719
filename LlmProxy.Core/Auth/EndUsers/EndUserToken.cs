using System.Text.Json.Serialization;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Auth.EndUsers;

/// <summary>
/// What a verified end-user token says: the tenant's backend vouches that the bearer is <see cref="UserId"/> of
/// <see cref="TenantId"/> until <see cref="ExpiresAt"/>, within the given limits and models. Only ever built from a
/// token whose signature checked out, or to sign one.
/// </summary>
public sealed record EndUserToken
{
    public required string TenantId { get; init; }

    public required string UserId { get; init; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("iat")]
    public required long IssuedAt { get; init; }

    /// <summary>Unix seconds; the token is refused from this second on.</summary>
    [JsonPropertyName("exp")]
    public required long ExpiresAt { get; init; }

    public EndUserLimits? Limits { get; init; }

    /// <summary>Entries <c>provider</c> or <c>provider/model</c> (see <see cref="ModelAllowList"/>); null: any.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    public bool HasExpired(DateTimeOffset now) => now.ToUnixTimeSeconds() >= ExpiresAt;

    /// <summary>
    /// The call as the token's user may make it: a model it does not allow is 403 <c>permission_denied</c>; its
    /// limits become a ceiling on the user's own (the tighter of the two applies).
    /// </summary>
    public ProxyCall Bound(ProxyCall call)
    {
        if (!ModelAllowList.Allows(AllowedModels, call.Provider, call.Model))
            throw new ProxyException(403, ErrorTypes.PermissionDenied, $"This end-user token may not call '{call.Provider}/{call.Model}'.", "model");
        return Limits is null ? call : call with
        {
            UserCeiling = new EffectiveLimits(Limits.TokenLimit, Limits.RequestsPerMinute, Limits.CostLimitUsd is { } usd ? Nanodollars.LimitOf(usd) : null),
        };
    }
}

/// <summary>Per-user limits a token carries; each a ceiling on the user's configured limit. Null: no ceiling.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EndUserLimits
{
    /// <summary>Tokens the user may use in the quota period (see <c>LlmProxy:Quota:Period</c>), all calls together.</summary>
    public long? TokenLimit { get; init; }

    public int? RequestsPerMinute { get; init; }

    /// <summary>USD the user may spend in the quota period, all calls together, at the price book's prices.</summary>
    public decimal? CostLimitUsd { get; init; }
}
