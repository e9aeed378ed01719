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
            ["OldCostLimitNanodollars"] = CostLimit(entry.OldValue),
            ["NewSet"] = entry.NewValue is not null,
            ["NewTokenLimit"] = entry.NewValue?.TokenLimit,
            ["NewRequestsPerMinute"] = entry.NewValue?.RequestsPerMinute,
            ["NewCostLimitNanodollars"] = CostLimit(entry.NewValue),
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
                Override(row, "Old"), Override(row, "New")));
            if (tenantId is not null && entries.Count >= limit) break;
        }
        return entries.OrderByDescending(e => e.At).Take(limit).ToList();
    }

    private static long? CostLimit(QuotaOverride? value) => value?.CostLimitUsd is { } usd ? Nanodollars.LimitOf(usd) : null;

    private static QuotaOverride? Override(TableEntity row, string side) =>
        row.GetBoolean(side + "Set") == true
            ? new QuotaOverride(row.GetInt64(side + "TokenLimit"), row.GetInt32(side + "RequestsPerMinute"),
                row.GetInt64(side + "CostLimitNanodollars") is { } cost ? Nanodollars.ToUsd(cost) : null)
            : null;
}
