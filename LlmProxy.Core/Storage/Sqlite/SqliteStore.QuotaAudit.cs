using LlmProxy.Core.Admin;
using LlmProxy.Core.Quotas;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore : IQuotaAuditStore
{
    public Task AddAsync(QuotaAuditEntry entry, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO quota_audit (id, tenant_id, user_id, actor, at_ms, old_token_limit, old_requests_per_minute, old_set,
                new_token_limit, new_requests_per_minute, new_set, old_cost_limit_nanodollars, new_cost_limit_nanodollars)
            VALUES ($id, $tenant, $user, $actor, $at, $oldTokens, $oldRpm, $oldSet, $newTokens, $newRpm, $newSet, $oldCost, $newCost);
            """, cancellationToken,
            ("$id", entry.Id), ("$tenant", entry.TenantId), ("$user", entry.UserId), ("$actor", entry.Actor),
            ("$at", entry.At.ToUnixTimeMilliseconds()),
            ("$oldTokens", entry.OldValue?.TokenLimit), ("$oldRpm", entry.OldValue?.RequestsPerMinute), ("$oldSet", entry.OldValue is not null),
            ("$newTokens", entry.NewValue?.TokenLimit), ("$newRpm", entry.NewValue?.RequestsPerMinute), ("$newSet", entry.NewValue is not null),
            ("$oldCost", CostLimit(entry.OldValue)), ("$newCost", CostLimit(entry.NewValue)));

    private static long? CostLimit(QuotaOverride? value) => value?.CostLimitUsd is { } usd ? Nanodollars.LimitOf(usd) : null;

    public async Task<IReadOnlyList<QuotaAuditEntry>> ListAsync(string? tenantId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Command(connection, null, """
            SELECT id, tenant_id, user_id, actor, at_ms, old_token_limit, old_requests_per_minute, old_set,
                   new_token_limit, new_requests_per_minute, new_set, old_cost_limit_nanodollars, new_cost_limit_nanodollars
            FROM quota_audit WHERE ($tenant IS NULL OR tenant_id = $tenant)
            ORDER BY at_ms DESC, rowid DESC LIMIT $limit;
            """, ("$tenant", tenantId), ("$limit", limit));
        var entries = new List<QuotaAuditEntry>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new QuotaAuditEntry(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                Override(reader, 5, 11), Override(reader, 8, 12)));
        }
        return entries;
    }

    private static QuotaOverride? Override(SqliteDataReader reader, int first, int cost) =>
        reader.GetBoolean(first + 2)
            ? new QuotaOverride(reader.IsDBNull(first) ? null : reader.GetInt64(first), reader.IsDBNull(first + 1) ? null : reader.GetInt32(first + 1),
                reader.IsDBNull(cost) ? null : Nanodollars.ToUsd(reader.GetInt64(cost)))
            : null;
}
