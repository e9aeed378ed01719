using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Auth.EndUsers;

/// <summary>
/// Issues end-user tokens (<c>POST /api/tokens</c>) to a tenant's backend, which calls with its secret key: a token
/// for one user of that tenant, short-lived, optionally with per-user limits and allowed models.
/// </summary>
public sealed class EndUserTokenService(EndUserTokenSigner signer, IOptions<EndUserTokenOptions> options, TimeProvider clock)
{
    public const int MaxRequestsPerMinute = 1_000_000;

    /// <param name="caller">A secret key's caller: the token's tenant is the key's.</param>
    public IssuedEndUserToken Issue(CallerIdentity caller, NewEndUserToken request)
    {
        // The route authenticates secret keys only; this holds even for a caller that forgot to.
        if (caller.Publishable is not null) throw CallerAuthenticator.PublishableKeyNotAllowed();
        if (caller.EndUser is not null) throw CallerAuthenticator.EndUserTokenNotAllowed();
        var userId = request.UserId ?? throw ProxyException.BadRequest("'userId' is required: the end user the token is for.", "userId");
        RequestValidator.CheckId(userId, "userId");
        var settings = options.Value;
        var lifetime = request.ExpiresInSeconds ?? settings.DefaultLifetimeSeconds;
        if (lifetime < 1 || lifetime > settings.MaxLifetimeSeconds)
            throw ProxyException.BadRequest($"'expiresInSeconds' must be 1 to {settings.MaxLifetimeSeconds} (leave it out for {settings.DefaultLifetimeSeconds}).", "expiresInSeconds");
        if (request.Limits?.TokenLimit is < 1)
            throw ProxyException.BadRequest("'limits.tokenLimit' must be 1 or more (leave it out for the user's configured limit).", "limits.tokenLimit");
        if (request.Limits?.RequestsPerMinute is < 1 or > MaxRequestsPerMinute)
            throw ProxyException.BadRequest($"'limits.requestsPerMinute' must be 1 to {MaxRequestsPerMinute} (leave it out for the user's configured limit).", "limits.requestsPerMinute");
        if (request.Limits?.CostLimitUsd is { } usd && !(usd > 0 && Nanodollars.IsLimit(usd)))
            throw ProxyException.BadRequest($"'limits.costLimitUsd' must be above 0 and at most {Nanodollars.MaxLimitUsd:0} USD, with at most 9 decimals (leave it out for the user's configured limit).", "limits.costLimitUsd");

        var issuedAt = clock.GetUtcNow().ToUnixTimeSeconds();
        var token = new EndUserToken
        {
            TenantId = caller.TenantId,
            UserId = userId,
            IssuedAt = issuedAt,
            ExpiresAt = issuedAt + lifetime,
            Limits = request.Limits is { TokenLimit: null, RequestsPerMinute: null, CostLimitUsd: null } ? null : request.Limits,
            AllowedModels = ModelAllowList.Parse(request.AllowedModels, "allowedModels"),
        };
        return new IssuedEndUserToken(signer.Sign(token), DateTimeOffset.FromUnixTimeSeconds(token.ExpiresAt));
    }
}
