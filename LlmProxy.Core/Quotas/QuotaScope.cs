namespace LlmProxy.Core.Quotas;

/// <summary>
/// Who a counter or limit belongs to: a whole tenant, one user of a tenant, or one publishable key of a tenant (whose
/// budget caps what every page using the key may spend together).
/// </summary>
public readonly record struct QuotaScope
{
    private QuotaScope(string tenantId, string? userId, string? keyId)
    {
        TenantId = tenantId;
        UserId = userId;
        KeyId = keyId;
        Key = keyId is not null ? $"key/{tenantId}/{keyId}" : userId is null ? $"tenant/{tenantId}" : $"user/{tenantId}/{userId}";
    }

    public string TenantId { get; }
    public string? UserId { get; }
    public string? KeyId { get; }

    public static QuotaScope Tenant(string tenantId) => new(tenantId, null, null);
    public static QuotaScope User(string tenantId, string userId) => new(tenantId, userId, null);
    public static QuotaScope ApiKey(string tenantId, string keyId) => new(tenantId, null, keyId);

    public bool IsUser => UserId is not null;
    public bool IsApiKey => KeyId is not null;

    /// <summary>Unique text form; ids never contain '/' (the front door refuses it). Built once: admission reads it several times per call.</summary>
    public string Key { get; }
}

/// <summary>
/// Per-scope limits kept in the store; null fields fall back to the defaults in settings. <paramref name="CostLimitUsd"/>
/// is a money budget per period in USD (0 = unlimited, like the others).
/// </summary>
public sealed record QuotaOverride(long? TokenLimit, int? RequestsPerMinute, decimal? CostLimitUsd = null);
