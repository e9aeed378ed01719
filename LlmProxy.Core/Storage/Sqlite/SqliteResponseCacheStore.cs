using LlmProxy.Core.Caching;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed class SqliteResponseCacheStore(SqliteConnectionFactory connections) : IResponseCacheStore
{
    public async Task<CacheEntry?> GetAsync(string tenantId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant_id, payload, created_ms, expires_ms FROM response_cache WHERE key = $key AND tenant_id = $tenant AND expires_ms > $now;";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new CacheEntry(key, reader.GetString(0), (byte[])reader.GetValue(1),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    }

    public async Task SetAsync(CacheEntry entry, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.Command("""
            INSERT INTO response_cache (key, tenant_id, payload, created_ms, expires_ms) VALUES ($key, $tenant, $payload, $created, $expires)
            ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, created_ms = excluded.created_ms, expires_ms = excluded.expires_ms;
            """);
        command.Parameters.AddWithValue("$key", entry.Key);
        command.Parameters.AddWithValue("$tenant", entry.TenantId);
        command.Parameters.AddWithValue("$payload", entry.Payload);
        command.Parameters.AddWithValue("$created", entry.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", entry.ExpiresAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.Command("DELETE FROM response_cache WHERE expires_ms <= $now;");
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var purged = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return purged;
    }
}
