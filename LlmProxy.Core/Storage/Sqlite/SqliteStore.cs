using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode, schema from <see cref="SqliteMigrations"/>.</summary>
public sealed class SqliteStore(SqliteConnectionFactory connections, TimeProvider clock) : IUsageStore, IQuotaStore, IStoreLifecycle
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(connections.DatabasePath);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken).ConfigureAwait(false);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", cancellationToken).ConfigureAwait(false));
        for (var version = current + 1; version <= SqliteMigrations.All.Count; version++)
        {
            await ExecuteAsync(connection, transaction, SqliteMigrations.All[version - 1], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({version});", cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ScalarAsync(connection, null, "SELECT COUNT(*) FROM schema_version;", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public async Task<bool> RecordAsync(UsageEvent usage, QuotaPeriod period, long countedTokens, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT OR IGNORE INTO usage_events (id, tenant_id, user_id, provider, model, prompt_tokens, completion_tokens,
                    estimated, latency_ms, status, http_status, cached, stream, error, timestamp_ms, cost_usd)
                VALUES ($id, $tenant, $user, $provider, $model, $prompt, $completion, $estimated, $latency, $status,
                    $httpStatus, $cached, $stream, $error, $timestamp, $cost);
                """;
            insert.Parameters.AddWithValue("$id", usage.Id);
            insert.Parameters.AddWithValue("$tenant", usage.TenantId);
            insert.Parameters.AddWithValue("$user", usage.UserId);
            insert.Parameters.AddWithValue("$provider", usage.Provider);
            insert.Parameters.AddWithValue("$model", usage.Model);
            insert.Parameters.AddWithValue("$prompt", usage.PromptTokens);
            insert.Parameters.AddWithValue("$completion", usage.CompletionTokens);
            insert.Parameters.AddWithValue("$estimated", usage.Estimated);
            insert.Parameters.AddWithValue("$latency", usage.LatencyMs);
            insert.Parameters.AddWithValue("$status", usage.Status);
            insert.Parameters.AddWithValue("$httpStatus", usage.HttpStatus);
            insert.Parameters.AddWithValue("$cached", usage.Cached);
            insert.Parameters.AddWithValue("$stream", usage.Stream);
            insert.Parameters.AddWithValue("$error", (object?)usage.Error ?? DBNull.Value);
            insert.Parameters.AddWithValue("$timestamp", usage.Timestamp.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$cost", usage.CostUsd is { } cost ? (double)cost : DBNull.Value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                return false;
        }

        if (countedTokens != 0)
        {
            foreach (var scope in new[] { QuotaScope.Tenant(usage.TenantId), QuotaScope.User(usage.TenantId, usage.UserId) })
            {
                await using var add = connection.CreateCommand();
                add.Transaction = transaction;
                add.CommandText = """
                    INSERT INTO quota_counters (scope, period_start, used_tokens) VALUES ($scope, $period, $tokens)
                    ON CONFLICT (scope, period_start) DO UPDATE SET used_tokens = used_tokens + excluded.used_tokens;
                    """;
                add.Parameters.AddWithValue("$scope", scope.Key);
                add.Parameters.AddWithValue("$period", period.Key);
                add.Parameters.AddWithValue("$tokens", countedTokens);
                await add.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<UsageEvent>> ListAsync(string tenantId, string? userId, DateTimeOffset from, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT id, tenant_id, user_id, provider, model, prompt_tokens, completion_tokens, estimated, latency_ms,
                   status, http_status, cached, stream, error, timestamp_ms, cost_usd
            FROM usage_events
            WHERE tenant_id = $tenant AND ($user IS NULL OR user_id = $user) AND timestamp_ms >= $from
            ORDER BY timestamp_ms DESC LIMIT $limit;
            """;
        query.Parameters.AddWithValue("$tenant", tenantId);
        query.Parameters.AddWithValue("$user", (object?)userId ?? DBNull.Value);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("$limit", limit);
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
            });
        }
        return events;
    }

    public async Task<long> GetUsedTokensAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT used_tokens FROM quota_counters WHERE scope = $scope AND period_start = $period;";
        query.Parameters.AddWithValue("$scope", scope.Key);
        query.Parameters.AddWithValue("$period", period.Key);
        return await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long used ? used : 0;
    }

    public async Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT token_limit, requests_per_minute FROM quota_overrides WHERE scope = $scope;";
        query.Parameters.AddWithValue("$scope", scope.Key);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new QuotaOverride(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
    }

    public async Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        if (value is null)
        {
            command.CommandText = "DELETE FROM quota_overrides WHERE scope = $scope;";
        }
        else
        {
            command.CommandText = """
                INSERT INTO quota_overrides (scope, token_limit, requests_per_minute, updated_ms) VALUES ($scope, $limit, $rpm, $now)
                ON CONFLICT (scope) DO UPDATE SET token_limit = excluded.token_limit,
                    requests_per_minute = excluded.requests_per_minute, updated_ms = excluded.updated_ms;
                """;
            command.Parameters.AddWithValue("$limit", (object?)value.TokenLimit ?? DBNull.Value);
            command.Parameters.AddWithValue("$rpm", (object?)value.RequestsPerMinute ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
        command.Parameters.AddWithValue("$scope", scope.Key);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO quota_counters (scope, period_start, used_tokens)
            SELECT scope, $current, 0 FROM quota_counters WHERE period_start = $previous;
            """;
        command.Parameters.AddWithValue("$previous", previous.Key);
        command.Parameters.AddWithValue("$current", current.Key);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
