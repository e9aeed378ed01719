using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Admin;

/// <summary>One change of a quota override: who made it, when, and the override before and after (null = none).</summary>
public sealed record QuotaAuditEntry(string Id, string TenantId, string? UserId, string Actor, DateTimeOffset At,
    QuotaOverride? OldValue, QuotaOverride? NewValue);

/// <summary>The append-only trail of quota override changes.</summary>
public interface IQuotaAuditStore
{
    Task AddAsync(QuotaAuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The newest changes first, of one tenant (its users included) or of every tenant.</summary>
    Task<IReadOnlyList<QuotaAuditEntry>> ListAsync(string? tenantId, int limit, CancellationToken cancellationToken);
}
