using System.Text.Json.Serialization;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Auth.Publishable;

namespace LlmProxy.Core.Auth;

/// <summary>A stored tenant key: only its SHA-256 hash is kept; the key itself is shown once, at creation.</summary>
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

    public string Kind => Publishable is null ? ApiKeyKinds.Secret : ApiKeyKinds.Publishable;

    public bool IsActive => RevokedAt is null;
}

public static class ApiKeyKinds
{
    /// <summary>For servers: every route, no origin binding.</summary>
    public const string Secret = "secret";

    /// <summary>For web pages: public by design, so bound to origins, one route and per-user and per-IP limits.</summary>
    public const string Publishable = "publishable";
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
    string Kind, PublishableKeyPolicy? Publishable);

/// <summary>
/// Who is calling, as decided by the key they presented; <paramref name="Publishable"/> is set for a publishable key,
/// <paramref name="EndUser"/> when the call carried a verified end-user token (then the call is that user's).
/// </summary>
public sealed record CallerIdentity(string TenantId, string KeyId, PublishableKeyPolicy? Publishable = null, EndUserToken? EndUser = null);

/// <summary>A key as the admin API lists it: never the key or its hash.</summary>
public sealed record ApiKeyInfo(string KeyId, string TenantId, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    string Kind, PublishableKeyPolicy? Publishable)
{
    /// <summary>A publishable key's own budget in the current quota period (limits, used, reserved, remaining); null when it has none.</summary>
    public Quotas.QuotaFigures? Budget { get; init; }

    public static ApiKeyInfo From(ApiKeyRecord key) =>
        new(key.KeyId, key.TenantId, key.Name, key.Prefix, key.CreatedAt, key.RevokedAt, key.Kind, key.Publishable);
}
