using System.Globalization;
using Azure.Data.Tables;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Tables;

public sealed partial class TableStore : IQuotaAuditStore
{
    public async Task AddAsync(QuotaAuditEntry entry, CancellationToken cancellationToken)
    {
        var row = new TableEntity(TableKeys.Partition(entry.TenantId), TableKeys.Audit(entry.At, entry.Id))
        {
            ["Tenant"] = entry.TenantId,
            ["User"] = entry.UserId,
            ["Actor"] = entry.Actor,
            ["At"] = entry.At,
            ["OldSet"] = entry.OldValue is not null,
            ["OldTokenLimit"] = entry.OldValue?.TokenLimit,
            ["OldRequestsPerMinute"] = entry.OldValue?.RequestsPerMinute,
            ["NewSet"] = entry.NewValue is not null,
            ["NewTokenLimit"] = entry.NewValue?.TokenLimit,
            ["NewRequestsPerMinute"] = entry.NewValue?.RequestsPerMinute,
        };
        await _table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<QuotaAuditEntry>> ListAsync(string? tenantId, int limit, CancellationToken cancellationToken)
    {
        var prefix = TableKeys.AuditPrefix;
        var filter = TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        if (tenantId is not null) filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Partition(tenantId)}") + " and " + filter;
        var entries = new List<QuotaAuditEntry>();
        // Row keys sort newest first within a partition; across partitions the rows are merged here.
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new QuotaAuditEntry(row.RowKey[(row.RowKey.LastIndexOf('|') + 1)..], row.GetString("Tenant"), row.GetString("User"),
                row.GetString("Actor"), row.GetDateTimeOffset("At") ?? default,
                row.GetBoolean("OldSet") == true ? new QuotaOverride(row.GetInt64("OldTokenLimit"), row.GetInt32("OldRequestsPerMinute")) : null,
                row.GetBoolean("NewSet") == true ? new QuotaOverride(row.GetInt64("NewTokenLimit"), row.GetInt32("NewRequestsPerMinute")) : null));
            if (tenantId is not null && entries.Count >= limit) break;
        }
        return entries.OrderByDescending(e => e.At).Take(limit).ToList();
    }
}
