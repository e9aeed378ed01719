namespace LlmProxy.Core.Quotas;

/// <summary>Who a counter or limit belongs to: a whole tenant, or one user of a tenant.</summary>
public readonly record struct QuotaScope(string TenantId, string? UserId)
{
    // Get-only, so no `with` can change an id without the key that is computed from both.
    public string TenantId { get; } = TenantId;
    public string? UserId { get; } = UserId;

    public static QuotaScope Tenant(string tenantId) => new(tenantId, null);
    public static QuotaScope User(string tenantId, string userId) => new(tenantId, userId);

    public bool IsUser => UserId is not null;

    /// <summary>Unique text form; ids never contain '/' (the front door refuses it). Built once: admission reads it several times per call.</summary>
    public string Key { get; } = UserId is null ? $"tenant/{TenantId}" : $"user/{TenantId}/{UserId}";
}

/// <summary>Per-scope limits kept in the store; null fields fall back to the defaults in settings.</summary>
public sealed record QuotaOverride(long? TokenLimit, int? RequestsPerMinute);
