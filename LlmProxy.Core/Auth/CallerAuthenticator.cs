using System.Collections.Concurrent;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Auth;

/// <summary>
/// Decides the tenant from the key a caller presents (<c>Authorization: Bearer</c> or <c>x-api-key</c>).
/// Successful look-ups are cached briefly so the hot path does not hit the store on every call. Publishable keys and
/// end-user tokens are refused unless the route asks for <see cref="AuthenticateBrowserCallAsync"/>, so a route that
/// forgets the question stays closed to them.
/// </summary>
public sealed class CallerAuthenticator(IApiKeyStore store, EndUserTokenSigner endUserTokens, IOptions<AuthOptions> options, IHostEnvironment environment, TimeProvider clock)
{
    /// <summary>The header that carries an end-user token beside a key (a token alone goes in <c>Authorization</c>).</summary>
    public const string EndUserTokenHeader = "X-End-User-Token";

    /// <summary>The key id of a caller that presented an end-user token alone (a token is no stored key).</summary>
    public const string EndUserTokenKeyId = "end-user-token";

    /// <summary>
    /// Only keys that exist are cached, so the cache is bounded by the keys an operator made; this bounds it anyway
    /// (a tenant with very many keys, or keys revoked and made again) at the cost of a store read.
    /// </summary>
    internal const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (CallerIdentity Identity, DateTimeOffset Until)> _cache = new();

    /// <summary>Secret keys only: a publishable key is 403 <c>publishable_key_not_allowed</c>, an end-user token 403 <c>end_user_token_not_allowed</c>.</summary>
    public async Task<CallerIdentity> AuthenticateAsync(string? authorization, string? apiKeyHeader, CancellationToken cancellationToken)
    {
        var key = PresentedKey(authorization, apiKeyHeader);
        if (EndUserTokenSigner.LooksLikeToken(key)) throw EndUserTokenNotAllowed();
        var caller = await IdentifyAsync(key, cancellationToken).ConfigureAwait(false);
        return caller.Publishable is null ? caller : throw PublishableKeyNotAllowed();
    }

    /// <summary>
    /// For the route a web page calls: a secret key, a publishable key when <paramref name="origin"/> (the request's
    /// <c>Origin</c> header) is one the key lists (403 <c>origin_not_allowed</c> otherwise), or an end-user token
    /// alone. A key may come with an end-user token (<paramref name="endUserToken"/>, <see cref="EndUserTokenHeader"/>)
    /// of its own tenant; the call is then the token's user's. A token that is forged, altered, expired, signed with
    /// a key no longer accepted or for another tenant is 401, with nothing said about which.
    /// </summary>
    public async Task<CallerIdentity> AuthenticateBrowserCallAsync(string? authorization, string? apiKeyHeader, string? endUserToken, string? origin, CancellationToken cancellationToken)
    {
        var key = PresentedKey(authorization, apiKeyHeader);
        if (EndUserTokenSigner.LooksLikeToken(key))
        {
            if (!string.IsNullOrEmpty(endUserToken))
                throw ProxyException.BadRequest($"Send an end-user token either alone (Authorization: Bearer) or beside a key ({EndUserTokenHeader}), not both.");
            var alone = VerifyEndUserToken(key!);
            return new CallerIdentity(alone.TenantId, EndUserTokenKeyId, EndUser: alone);
        }

        var caller = await IdentifyAsync(key, cancellationToken).ConfigureAwait(false);
        if (caller.Publishable is { } policy && !policy.AllowsOrigin(origin))
            throw new ProxyException(403, ErrorTypes.OriginNotAllowed, string.IsNullOrEmpty(origin)
                ? "A publishable key works only from a web page: the request has no 'Origin' header."
                : $"This publishable key does not work from the origin '{origin}'; an operator can add it to the key's allowedOrigins.");
        if (string.IsNullOrEmpty(endUserToken)) return caller;
        var token = VerifyEndUserToken(endUserToken.Trim());
        // Signed for another tenant: as unusable here as a forged one, and said the same way.
        return token.TenantId == caller.TenantId ? caller with { EndUser = token } : throw InvalidEndUserToken();
    }

    /// <summary>
    /// A platform key acts for many tenants, so it must never sit in a web page: a request that carries an
    /// <c>Origin</c> header (every browser's cross-origin and same-origin POST does) is refused with 403.
    /// </summary>
    public static void RefuseFromBrowser(CallerIdentity caller, string? origin)
    {
        if (caller.Platform is not null && !string.IsNullOrEmpty(origin))
            throw new ProxyException(403, ErrorTypes.PlatformKeyNotAllowed,
                "A platform key works only from a server: this request comes from a web page (it has an 'Origin' header).");
    }

    public static ProxyException PublishableKeyNotAllowed() => new(403, ErrorTypes.PublishableKeyNotAllowed,
        "A publishable key may only call POST /api/llm-proxy from a web page; use a secret key for anything else.");

    public static ProxyException EndUserTokenNotAllowed() => new(403, ErrorTypes.EndUserTokenNotAllowed,
        "An end-user token may only call POST /api/llm-proxy; use a secret key for anything else.");

    private EndUserToken VerifyEndUserToken(string presented)
    {
        var token = endUserTokens.Verify(presented) ?? throw InvalidEndUserToken();
        return token.HasExpired(clock.GetUtcNow())
            ? throw Unauthorized("The end-user token has expired; get a new one from the site's backend.")
            : token;
    }

    private static ProxyException InvalidEndUserToken() => Unauthorized("The end-user token is not valid.");

    private async Task<CallerIdentity> IdentifyAsync(string? key, CancellationToken cancellationToken)
    {
        if (key is null) throw Unauthorized("An API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");

        var settings = options.Value;
        if (environment.IsDevelopment() && ApiKeyHasher.SecretEquals(key, settings.DevelopmentKey))
            return new CallerIdentity(settings.DevelopmentTenantId, "development");

        var hash = ApiKeyHasher.Hash(key);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now) return cached.Identity;

        var record = await store.FindByHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (record is not { IsActive: true }) throw Unauthorized("The API key is not valid or has been revoked.");
        var identity = new CallerIdentity(record.TenantId, record.KeyId, record.Publishable, Platform: record.Platform);
        if (settings.KeyCacheSeconds > 0)
        {
            if (_cache.Count >= MaxCachedKeys) Prune(now);
            _cache[hash] = (identity, now.AddSeconds(settings.KeyCacheSeconds));
        }
        return identity;
    }

    /// <summary>A body or query tenant must be the key's own tenant.</summary>
    public static string TenantFor(string callerTenantId, string? requestedTenant)
    {
        if (requestedTenant is null || requestedTenant == callerTenantId) return callerTenantId;
        Proxy.RequestValidator.CheckId(requestedTenant, "tenantId");
        throw new ProxyException(403, ErrorTypes.PermissionDenied, $"This key belongs to another tenant than '{requestedTenant}'.", "tenantId");
    }

    public void Forget() => _cache.Clear();

    /// <summary>Drops expired entries; if that is not enough, all of them (each costs one store read to come back).</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (hash, entry) in _cache)
            if (entry.Until <= now) _cache.TryRemove(hash, out _);
        if (_cache.Count >= MaxCachedKeys) _cache.Clear();
    }

    private static string? PresentedKey(string? authorization, string? apiKeyHeader)
    {
        if (!string.IsNullOrWhiteSpace(apiKeyHeader)) return apiKeyHeader.Trim();
        if (authorization is { Length: > 7 } && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        return null;
    }

    private static ProxyException Unauthorized(string message) => new(401, ErrorTypes.Authentication, message);
}
