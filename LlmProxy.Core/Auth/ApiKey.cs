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

    public bool IsActive => RevokedAt is null;
}

/// <summary>The answer to a key creation: the only time the key itself is visible.</summary>
public sealed record CreatedApiKey(string KeyId, string TenantId, string Name, string Prefix, string Key, DateTimeOffset CreatedAt);

/// <summary>Who is calling, as decided by the key they presented.</summary>
public sealed record CallerIdentity(string TenantId, string KeyId);

/// <summary>A key as the admin API lists it: never the key or its hash.</summary>
public sealed record ApiKeyInfo(string KeyId, string TenantId, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
