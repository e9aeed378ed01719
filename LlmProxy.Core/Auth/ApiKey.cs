using System.Text.Json.Serialization;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Errors;

namespace LlmProxy.Core.Auth;

/// <summary>
/// A stored key: only its SHA-256 hash is kept; the key itself is shown once, at creation. A tenant's keys (secret or
/// publishable) have its <see cref="TenantId"/>; a platform key has none (empty) and a <see cref="Platform"/> policy.
/// </summary>
public sealed record ApiKeyRecord
{
    public required string KeyId { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    /// <summary>The first characters of the key, so an operator can tell keys apart.</summary>
    public required string Prefix { get; init; }
    public required string Hash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>What a publishable key may do; null for a secret key (every key stored before kinds existed).</summary>
    public PublishableKeyPolicy? Publishable { get; init; }

    /// <summary>The tenants a platform key may act for; null for a tenant's own keys.</summary>
    public PlatformKeyPolicy? Platform { get; init; }

    public string Kind => Publishable is not null ? ApiKeyKinds.Publishable : Platform is not null ? ApiKeyKinds.Platform : ApiKeyKinds.Secret;

    public bool IsActive => RevokedAt is null;
}

public static class ApiKeyKinds
{
    /// <summary>For servers: every route, no origin binding.</summary>
    public const string Secret = "secret";

    /// <summary>For web pages: public by design, so bound to origins, one route and per-user and per-IP limits.</summary>
    public const string Publishable = "publishable";

    /// <summary>For the operator's backend: acts for the tenant each call names, among those it lists; never from a browser.</summary>
    public const string Platform = "platform";
}

/// <summary>
/// The admin API's key creation body. <c>kind</c> defaults to secret; the other fields belong to publishable keys
/// (null rates take the defaults of <c>LlmProxy:PublishableKeys</c>; <c>tokenLimit</c> / <c>costLimitUsd</c> are the
/// key's own budget per quota period). A misspelt field is refused, not ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NewApiKey
{
    public string? Name { get; init; }
    public string? Kind { get; init; }
    public List<string>? AllowedOrigins { get; init; }
    public int? RequestsPerMinutePerUser { get; init; }
    public int? RequestsPerMinutePerIp { get; init; }
    public List<string>? AllowedModels { get; init; }
    public long? TokenLimit { get; init; }
    public decimal? CostLimitUsd { get; init; }
}

/// <summary>The answer to a key creation: the only time the key itself is visible.</summary>
public sealed record CreatedApiKey(string KeyId, string TenantId, string Name, string Prefix, string Key, DateTimeOffset CreatedAt,
    string Kind, PublishableKeyPolicy? Publishable, PlatformKeyPolicy? Platform = null);

/// <summary>
/// Who is calling, as decided by the key they presented; <paramref name="Publishable"/> is set for a publishable key,
/// <paramref name="EndUser"/> when the call carried a verified end-user token (then the call is that user's),
/// <paramref name="Platform"/> for a platform key (whose <paramref name="TenantId"/> is empty: each call names its tenant).
/// </summary>
public sealed record CallerIdentity(string TenantId, string KeyId, PublishableKeyPolicy? Publishable = null, EndUserToken? EndUser = null,
    PlatformKeyPolicy? Platform = null)
{
    public const string TenantHeader = "X-Tenant-Id";

    /// <summary>
    /// The tenant a call acts for. A tenant's key: its own tenant; naming another is 403. A platform key: the tenant the
    /// call names (required, 400 without it), which the key must cover (403 otherwise).
    /// </summary>
    /// <param name="requested">The tenant the call names (body <c>tenantId</c>, query <c>tenantId</c> or <c>X-Tenant-Id</c>).</param>
    public string TenantFor(string? requested)
    {
        if (Platform is null) return CallerAuthenticator.TenantFor(TenantId, requested);
        if (string.IsNullOrEmpty(requested))
            throw ProxyException.BadRequest($"A platform key acts for the tenant each call names: send 'tenantId' in the body, or the {TenantHeader} header.", "tenantId");
        Proxy.RequestValidator.CheckTenantId(requested);
        return Platform.Allows(requested) ? requested
            : throw new ProxyException(403, ErrorTypes.PermissionDenied, $"This platform key does not act for the tenant '{requested}'.", "tenantId");
    }
}

/// <summary>A key as the admin API lists it: never the key or its hash.</summary>
public sealed record ApiKeyInfo(string KeyId, string TenantId, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    string Kind, PublishableKeyPolicy? Publishable, PlatformKeyPolicy? Platform = null)
{
    /// <summary>A publishable key's own budget in the current quota period (limits, used, reserved, remaining); null when it has none.</summary>
    public Quotas.QuotaFigures? Budget { get; init; }

    public static ApiKeyInfo From(ApiKeyRecord key) =>
        new(key.KeyId, key.TenantId, key.Name, key.Prefix, key.CreatedAt, key.RevokedAt, key.Kind, key.Publishable, key.Platform);
}
