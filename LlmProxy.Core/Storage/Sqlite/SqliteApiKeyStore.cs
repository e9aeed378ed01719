using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed class SqliteApiKeyStore(SqliteConnectionFactory connections) : IApiKeyStore
{
    private const string Columns = "key_id, tenant_id, name, prefix, hash, created_ms, revoked_ms, kind, publishable_policy, platform_policy";

    public async Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.Command($"INSERT INTO api_keys ({Columns}) VALUES ($id, $tenant, $name, $prefix, $hash, $created, NULL, $kind, $policy, $platform);");
        command.Parameters.AddWithValue("$id", key.KeyId);
        command.Parameters.AddWithValue("$tenant", key.TenantId);
        command.Parameters.AddWithValue("$name", key.Name);
        command.Parameters.AddWithValue("$prefix", key.Prefix);
        command.Parameters.AddWithValue("$hash", key.Hash);
        command.Parameters.AddWithValue("$created", key.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$kind", key.Kind);
        command.Parameters.AddWithValue("$policy", (object?)PublishableKeyPolicyJson.Write(key.Publishable) ?? DBNull.Value);
        command.Parameters.AddWithValue("$platform", (object?)PlatformKeyPolicy.Write(key.Platform) ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken) =>
        (await QueryAsync("hash = $value", hash, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync("tenant_id = $value ORDER BY created_ms", tenantId, cancellationToken);

    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.Command("UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, $at) WHERE key_id = $id;");
        command.Parameters.AddWithValue("$id", keyId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        var revoked = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    private async Task<IReadOnlyList<ApiKeyRecord>> QueryAsync(string where, string value, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys WHERE {where};";
        command.Parameters.AddWithValue("$value", value);
        var keys = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) keys.Add(Read(reader));
        return keys;
    }

    private static ApiKeyRecord Read(SqliteDataReader reader) => new()
    {
        KeyId = reader.GetString(0),
        TenantId = reader.GetString(1),
        Name = reader.GetString(2),
        Prefix = reader.GetString(3),
        Hash = reader.GetString(4),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        RevokedAt = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        Publishable = PublishableKeyPolicyJson.Read(reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)),
        Platform = PlatformKeyPolicy.Read(reader.GetString(7), reader.IsDBNull(9) ? null : reader.GetString(9)),
    };
}
