using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task<bool> RecordAsync(UsageToRecord record, CancellationToken cancellationToken) =>
        (await RecordManyAsync([record], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// The batch in one transaction (one commit for many calls' events), then the same changes in the admission
    /// ledger: used tokens and money added, reservations settled.
    /// </summary>
    public async Task<IReadOnlyList<bool>> RecordManyAsync(IReadOnlyList<UsageToRecord> batch, CancellationToken cancellationToken)
    {
        var results = new bool[batch.Count];
        // The ledger is brought in step while the write turn is still held: a first-time counter read (which takes
        // the turn too) then sees this batch either in the file or in the ledger, never in both.
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        // Summed per counter first: a burst of one user's calls is one counter update, not one per call.
        var sums = new Dictionary<(string Scope, string Period), (long Tokens, long Cost)>();
        await using (var insert = new BatchStatement(write, InsertUsageSql, UsageParameters))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var (usage, period, tokens, cost) = batch[i];
                // INSERT OR IGNORE changes no row for an event id seen before: a duplicate counts nothing.
                results[i] = await insert.RunAsync(UsageValues(usage), cancellationToken).ConfigureAwait(false) > 0;
                if (!results[i] || (tokens == 0 && cost == 0)) continue;
                foreach (var scope in ScopesOf(usage))
                {
                    var sum = sums.GetValueOrDefault((scope.Key, period.Key));
                    sums[(scope.Key, period.Key)] = (sum.Tokens + tokens, sum.Cost + cost);
                }
            }
        }
        await using (var addUsed = new BatchStatement(write, AddUsedSql, "$scope", "$period", "$tokens", "$cost"))
        {
            foreach (var ((scope, period), sum) in sums)
                await addUsed.RunAsync([scope, period, sum.Tokens, sum.Cost], cancellationToken).ConfigureAwait(false);
        }
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);

        for (var i = 0; i < batch.Count; i++)
        {
            if (!results[i]) continue;
            var (usage, period, tokens, cost) = batch[i];
            if (tokens != 0 || cost != 0)
                foreach (var scope in ScopesOf(usage)) _ledger.AddUsed(scope, period, tokens, cost);
            if (usage.ReservationId is { } reservationId) _ledger.Settle(reservationId);
        }
        return results;
    }

    private static QuotaScope[] ScopesOf(UsageEvent usage) => usage.KeyId is { } keyId
        ? [QuotaScope.Tenant(usage.TenantId), QuotaScope.User(usage.TenantId, usage.UserId), QuotaScope.ApiKey(usage.TenantId, keyId)]
        : [QuotaScope.Tenant(usage.TenantId), QuotaScope.User(usage.TenantId, usage.UserId)];

    private const string InsertUsageSql = """
        INSERT OR IGNORE INTO usage_events (id, tenant_id, user_id, provider, model, prompt_tokens, completion_tokens,
            estimated, latency_ms, status, http_status, cached, stream, error, timestamp_ms, cost_usd,
            cached_prompt_tokens, cache_write_tokens, reasoning_tokens, key_id)
        VALUES ($id, $tenant, $user, $provider, $model, $prompt, $completion, $estimated, $latency, $status,
            $httpStatus, $cached, $stream, $error, $timestamp, $cost, $cachedPrompt, $cacheWrite, $reasoning, $key);
        """;

    private static readonly string[] UsageParameters = ["$id", "$tenant", "$user", "$provider", "$model", "$prompt", "$completion",
        "$estimated", "$latency", "$status", "$httpStatus", "$cached", "$stream", "$error", "$timestamp", "$cost",
        "$cachedPrompt", "$cacheWrite", "$reasoning", "$key"];

    private static object?[] UsageValues(UsageEvent usage) =>
        [usage.Id, usage.TenantId, usage.UserId, usage.Provider, usage.Model, usage.PromptTokens, usage.CompletionTokens,
         usage.Estimated, usage.LatencyMs, usage.Status, usage.HttpStatus, usage.Cached, usage.Stream, usage.Error,
         usage.Timestamp.ToUnixTimeMilliseconds(), usage.CostUsd is { } cost ? (double)cost : null,
         usage.CachedPromptTokens, usage.CacheWriteTokens, usage.ReasoningTokens, usage.KeyId];

    private const string AddUsedSql = """
        INSERT INTO quota_counters (scope, period_start, used_tokens, used_nanodollars) VALUES ($scope, $period, $tokens, $cost)
        ON CONFLICT (scope, period_start) DO UPDATE SET used_tokens = used_tokens + excluded.used_tokens,
            used_nanodollars = used_nanodollars + excluded.used_nanodollars;
        """;

    public async Task<IReadOnlyList<UsageEvent>> ListAsync(string tenantId, string? userId, DateTimeOffset from, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Command(connection, null, """
            SELECT id, tenant_id, user_id, provider, model, prompt_tokens, completion_tokens, estimated, latency_ms,
                   status, http_status, cached, stream, error, timestamp_ms, cost_usd,
                   cached_prompt_tokens, cache_write_tokens, reasoning_tokens, key_id
            FROM usage_events
            WHERE tenant_id = $tenant AND ($user IS NULL OR user_id = $user) AND timestamp_ms >= $from
            ORDER BY timestamp_ms DESC LIMIT $limit;
            """, ("$tenant", tenantId), ("$user", userId), ("$from", from.ToUnixTimeMilliseconds()), ("$limit", limit));
        var events = new List<UsageEvent>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new UsageEvent
            {
                Id = reader.GetString(0),
                TenantId = reader.GetString(1),
                UserId = reader.GetString(2),
                Provider = reader.GetString(3),
                Model = reader.GetString(4),
                PromptTokens = reader.GetInt32(5),
                CompletionTokens = reader.GetInt32(6),
                Estimated = reader.GetBoolean(7),
                LatencyMs = reader.GetInt64(8),
                Status = reader.GetString(9),
                HttpStatus = reader.GetInt32(10),
                Cached = reader.GetBoolean(11),
                Stream = reader.GetBoolean(12),
                Error = reader.IsDBNull(13) ? null : reader.GetString(13),
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14)),
                CostUsd = reader.IsDBNull(15) ? null : (decimal)reader.GetDouble(15),
                CachedPromptTokens = reader.GetInt32(16),
                CacheWriteTokens = reader.GetInt32(17),
                ReasoningTokens = reader.GetInt32(18),
                KeyId = reader.IsDBNull(19) ? null : reader.GetString(19),
            });
        }
        return events;
    }

    public async Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            SELECT tenant_id, user_id, provider, model, strftime('%Y-%m-%d', timestamp_ms / 1000, 'unixepoch') AS day,
                   COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached), SUM(status <> 'ok'),
                   TOTAL(cost_usd), MAX(timestamp_ms)
            FROM usage_events
            WHERE ($tenant IS NULL OR tenant_id = $tenant) AND ($user IS NULL OR user_id = $user)
              AND timestamp_ms >= $from AND timestamp_ms < $to
            GROUP BY tenant_id, user_id, provider, model, day
            ORDER BY day, tenant_id, user_id, provider, model;
            """, ("$tenant", query.TenantId), ("$user", query.UserId),
            ("$from", query.From.ToUnixTimeMilliseconds()), ("$to", query.To.ToUnixTimeMilliseconds()));
        var rows = new List<UsageAggregate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            long prompt = reader.GetInt64(6), completion = reader.GetInt64(7);
            rows.Add(new UsageAggregate(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), prompt, completion, prompt + completion, reader.GetInt64(8), reader.GetInt64(9),
                (decimal)reader.GetDouble(10), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11))));
        }
        return rows;
    }

    public async Task<IReadOnlyList<long>> LatenciesAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            SELECT latency_ms FROM usage_events
            WHERE ($tenant IS NULL OR tenant_id = $tenant) AND ($user IS NULL OR user_id = $user)
              AND timestamp_ms >= $from AND timestamp_ms < $to
            ORDER BY latency_ms;
            """, ("$tenant", query.TenantId), ("$user", query.UserId),
            ("$from", query.From.ToUnixTimeMilliseconds()), ("$to", query.To.ToUnixTimeMilliseconds()));
        var latencies = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) latencies.Add(reader.GetInt64(0));
        return latencies;
    }
}
