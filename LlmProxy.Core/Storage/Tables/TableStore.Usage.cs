using Azure.Data.Tables;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Storage.Tables;

public sealed partial class TableStore
{
    public Task<bool> RecordAsync(UsageToRecord record, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            var (usage, period, tokens, cost) = record;
            var partition = TableKeys.Partition(usage.TenantId);
            var eventKey = TableKeys.Event(usage.Id);
            // A redelivered message finds its event row; the add below also refuses it (409) if a racing delivery wins.
            if (await GetAsync(partition, eventKey, token).ConfigureAwait(false) is not null) return false;

            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, EventRow(partition, eventKey, usage)) };
            var deltas = new Dictionary<string, CounterDelta>();
            if (tokens != 0 || cost != 0)
            {
                var used = new CounterDelta(tokens, 0, cost, 0);
                AddDelta(deltas, TableKeys.Counter(period.Key, QuotaScope.Tenant(usage.TenantId)), used);
                AddDelta(deltas, TableKeys.Counter(period.Key, QuotaScope.User(usage.TenantId, usage.UserId)), used);
                if (usage.KeyId is { } keyId) AddDelta(deltas, TableKeys.Counter(period.Key, QuotaScope.ApiKey(usage.TenantId, keyId)), used);
            }
            if (usage.ReservationId is { } reservationId
                && await GetAsync(partition, TableKeys.Reservation(reservationId), token).ConfigureAwait(false) is { } reservation)
                Settle(reservation, actions, deltas);
            await AddCounterWritesAsync(partition, deltas, actions, token).ConfigureAwait(false);
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<UsageEvent>> ListAsync(string tenantId, string? userId, DateTimeOffset from, int limit, CancellationToken cancellationToken)
    {
        var events = new List<UsageEvent>();
        await foreach (var row in EventsAsync(tenantId, userId, from, DateTimeOffset.MaxValue, cancellationToken).ConfigureAwait(false))
            events.Add(ToEvent(row));
        return events.OrderByDescending(e => e.Timestamp).Take(limit).ToList();
    }

    public async Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(string, string, string, string, string), UsageAggregate>();
        await foreach (var row in EventsAsync(query.TenantId, query.UserId, query.From, query.To, cancellationToken).ConfigureAwait(false))
        {
            var key = (row.GetString("Tenant"), row.GetString("User"), row.GetString("Provider"), row.GetString("Model"), row.GetString("Day"));
            var e = ToEvent(row);
            var sum = groups.GetValueOrDefault(key) ?? new UsageAggregate(key.Item1, key.Item2, key.Item3, key.Item4, key.Item5, 0, 0, 0, 0, 0, 0, 0, e.Timestamp);
            groups[key] = sum with
            {
                Requests = sum.Requests + 1,
                PromptTokens = sum.PromptTokens + e.PromptTokens,
                CompletionTokens = sum.CompletionTokens + e.CompletionTokens,
                TotalTokens = sum.TotalTokens + e.TotalTokens,
                CachedRequests = sum.CachedRequests + (e.Cached ? 1 : 0),
                ErrorRequests = sum.ErrorRequests + (e.Status == UsageStatuses.Ok ? 0 : 1),
                CostUsd = sum.CostUsd + (e.CostUsd ?? 0),
                LastAt = e.Timestamp > sum.LastAt ? e.Timestamp : sum.LastAt,
            };
        }
        return groups.Values
            .OrderBy(a => a.Day, StringComparer.Ordinal).ThenBy(a => a.TenantId, StringComparer.Ordinal).ThenBy(a => a.UserId, StringComparer.Ordinal)
            .ThenBy(a => a.Provider, StringComparer.Ordinal).ThenBy(a => a.Model, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<long>> LatenciesAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var latencies = new List<long>();
        await foreach (var row in EventsAsync(query.TenantId, query.UserId, query.From, query.To, cancellationToken).ConfigureAwait(false))
            latencies.Add(row.GetInt64("LatencyMs") ?? 0);
        latencies.Sort();
        return latencies;
    }

    /// <summary>Event rows in [from, to): one partition when the tenant is given, a scan of the event rows otherwise.</summary>
    private IAsyncEnumerable<TableEntity> EventsAsync(string? tenantId, string? userId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var prefix = TableKeys.EventPrefix;
        var filter = TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)} and At ge {from} and At lt {to}");
        if (tenantId is not null) filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Partition(tenantId)}") + " and " + filter;
        if (userId is not null) filter += " and " + TableClient.CreateQueryFilter($"User eq {userId}");
        return _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken);
    }

    private static TableEntity EventRow(string partition, string rowKey, UsageEvent usage)
    {
        var row = new TableEntity(partition, rowKey)
        {
            ["Id"] = usage.Id,
            ["Tenant"] = usage.TenantId,
            ["User"] = usage.UserId,
            ["Provider"] = usage.Provider,
            ["Model"] = usage.Model,
            ["PromptTokens"] = usage.PromptTokens,
            ["CompletionTokens"] = usage.CompletionTokens,
            ["CachedPromptTokens"] = usage.CachedPromptTokens,
            ["CacheWriteTokens"] = usage.CacheWriteTokens,
            ["ReasoningTokens"] = usage.ReasoningTokens,
            ["Estimated"] = usage.Estimated,
            ["LatencyMs"] = usage.LatencyMs,
            ["Status"] = usage.Status,
            ["HttpStatus"] = usage.HttpStatus,
            ["Cached"] = usage.Cached,
            ["Stream"] = usage.Stream,
            ["At"] = usage.Timestamp,
            ["Day"] = TableKeys.Day(usage.Timestamp),
        };
        if (usage.Error is { } error) row["Error"] = error;
        if (usage.KeyId is { } keyId) row["Key"] = keyId;
        // Table Storage has no decimal type; a double holds catalog prices times tokens exactly enough for reports.
        if (usage.CostUsd is { } cost) row["CostUsd"] = (double)cost;
        return row;
    }

    private static UsageEvent ToEvent(TableEntity row) => new()
    {
        Id = row.GetString("Id"),
        TenantId = row.GetString("Tenant"),
        UserId = row.GetString("User"),
        KeyId = row.GetString("Key"),
        Provider = row.GetString("Provider"),
        Model = row.GetString("Model"),
        PromptTokens = row.GetInt32("PromptTokens") ?? 0,
        CompletionTokens = row.GetInt32("CompletionTokens") ?? 0,
        CachedPromptTokens = row.GetInt32("CachedPromptTokens") ?? 0,
        CacheWriteTokens = row.GetInt32("CacheWriteTokens") ?? 0,
        ReasoningTokens = row.GetInt32("ReasoningTokens") ?? 0,
        Estimated = row.GetBoolean("Estimated") ?? false,
        LatencyMs = row.GetInt64("LatencyMs") ?? 0,
        Status = row.GetString("Status"),
        HttpStatus = row.GetInt32("HttpStatus") ?? 0,
        Cached = row.GetBoolean("Cached") ?? false,
        Stream = row.GetBoolean("Stream") ?? false,
        Error = row.GetString("Error"),
        Timestamp = row.GetDateTimeOffset("At") ?? default,
        CostUsd = row.GetDouble("CostUsd") is { } cost ? (decimal)cost : null,
    };
}
