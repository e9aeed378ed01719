using System.Text;
using LlmProxy.Core.RequestLog;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed class SqliteRequestLogStore(SqliteConnectionFactory connections) : IRequestLogStore
{
    private const string MetadataColumns = """
        id, tenant_id, user_id, provider, model, status, http_status, stream, cached, prompt_tokens, completion_tokens,
        latency_ms, ttft_ms, vendor_request_id, error, bodies_truncated, timestamp_ms,
        cached_prompt_tokens, cache_write_tokens, reasoning_tokens, cost_usd, key_id
        """;

    public Task AddAsync(RequestLogEntry entry, CancellationToken cancellationToken) => AddManyAsync([entry], cancellationToken);

    /// <summary>One transaction and one prepared statement for the batch.</summary>
    public async Task AddManyAsync(IReadOnlyList<RequestLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new BatchStatement(write, $"""
            INSERT OR IGNORE INTO request_log ({MetadataColumns}, request_body, response_body)
            VALUES ($id, $tenant, $user, $provider, $model, $status, $http, $stream, $cached, $prompt, $completion,
                    $latency, $ttft, $vendorId, $error, $truncated, $timestamp, $cachedPrompt, $cacheWrite, $reasoning, $cost,
                    $keyId, $request, $response);
            """, "$id", "$tenant", "$user", "$provider", "$model", "$status", "$http", "$stream", "$cached", "$prompt", "$completion",
            "$latency", "$ttft", "$vendorId", "$error", "$truncated", "$timestamp", "$cachedPrompt", "$cacheWrite", "$reasoning", "$cost",
            "$keyId", "$request", "$response"))
        {
            foreach (var stored in entries)
            {
                var entry = StoredBodies.Fit(stored);
                await insert.RunAsync([entry.Id, entry.TenantId, entry.UserId, entry.Provider, entry.Model, entry.Status, entry.HttpStatus,
                    entry.Stream, entry.Cached, entry.PromptTokens, entry.CompletionTokens, entry.LatencyMs, entry.TimeToFirstTokenMs,
                    entry.VendorRequestId, entry.Error, entry.BodiesTruncated, entry.Timestamp.ToUnixTimeMilliseconds(),
                    entry.CachedPromptTokens, entry.CacheWriteTokens, entry.ReasoningTokens, entry.CostUsd is { } cost ? (double)cost : null,
                    entry.KeyId, entry.RequestBody, entry.ResponseBody], cancellationToken).ConfigureAwait(false);
            }
        }
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RequestLogEntry>> QueryAsync(RequestLogQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new StringBuilder("1 = 1");
        void Filter(string column, string name, object? value)
        {
            if (value is null) return;
            where.Append($" AND {column} = {name}");
            command.Parameters.AddWithValue(name, value);
        }
        Filter("tenant_id", "$tenant", query.TenantId);
        Filter("user_id", "$user", query.UserId);
        Filter("provider", "$provider", query.Provider);
        Filter("model", "$model", query.Model);
        Filter("status", "$status", query.Status);
        Filter("cached", "$cached", query.Cached);
        if (query.From is { } from)
        {
            where.Append(" AND timestamp_ms >= $from");
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        }
        if (query.To is { } to)
        {
            where.Append(" AND timestamp_ms < $to");
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        }
        command.CommandText = $"SELECT {MetadataColumns} FROM request_log WHERE {where} ORDER BY timestamp_ms DESC, id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, 1000));
        var entries = new List<RequestLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(ReadMetadata(reader));
        return entries;
    }

    public async Task<RequestLogEntry?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MetadataColumns}, request_body, response_body FROM request_log WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return ReadMetadata(reader) with
        {
            RequestBody = reader.IsDBNull(22) ? null : reader.GetString(22),
            ResponseBody = reader.IsDBNull(23) ? null : reader.GetString(23),
        };
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.Command("DELETE FROM request_log WHERE timestamp_ms < $cutoff;");
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static RequestLogEntry ReadMetadata(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        UserId = r.GetString(2),
        Provider = r.GetString(3),
        Model = r.GetString(4),
        Status = r.GetString(5),
        HttpStatus = r.GetInt32(6),
        Stream = r.GetBoolean(7),
        Cached = r.GetBoolean(8),
        PromptTokens = r.GetInt32(9),
        CompletionTokens = r.GetInt32(10),
        LatencyMs = r.GetInt64(11),
        TimeToFirstTokenMs = r.IsDBNull(12) ? null : r.GetInt64(12),
        VendorRequestId = r.IsDBNull(13) ? null : r.GetString(13),
        Error = r.IsDBNull(14) ? null : r.GetString(14),
        BodiesTruncated = r.GetBoolean(15),
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(16)),
        CachedPromptTokens = r.GetInt32(17),
        CacheWriteTokens = r.GetInt32(18),
        ReasoningTokens = r.GetInt32(19),
        CostUsd = r.IsDBNull(20) ? null : (decimal)r.GetDouble(20),
        KeyId = r.IsDBNull(21) ? null : r.GetString(21),
    };
}
