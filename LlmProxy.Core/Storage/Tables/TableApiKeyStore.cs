using Azure;
using Azure.Data.Tables;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Platform;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// API keys in their own table (<see cref="StoreOptions.KeysTableName"/>); platform keys under the empty tenant id
/// (partition <c>t|</c>). Each key is three rows:
/// <list type="bullet">
/// <item><c>t|{tenant}</c> / <c>{keyId}</c>: the record, for listing a tenant's keys with one partition query;</item>
/// <item><c>h|{bucket}</c> / <c>{hash}</c>: the record, for the point read that authenticates a caller;</item>
/// <item><c>id</c> / <c>{keyId}</c>: the key's tenant, so that a revocation by key id finds the other two rows.</item>
/// </list>
/// The rows live in different partitions, so no transaction spans them; the order of the writes keeps every
/// intermediate state safe (see <see cref="AddAsync"/> and <see cref="RevokeAsync"/>).
/// </summary>
public sealed class TableApiKeyStore(AzureStorageClients clients, IOptions<StoreOptions> options)
    : TableBackedStore(clients.Table(options.Value.Connection, options.Value.KeysTableName)), IApiKeyStore
{
    private const string IdPartition = "id";
    private const int MaxRevokeAttempts = 10;

    /// <summary>
    /// Index rows first, the hash row last: a key can authenticate only once it can also be found and revoked. A
    /// failure in between leaves a listed key that does not work yet, which an operator can see and revoke, never a
    /// working key that cannot be revoked. A second key with the same id fails at the first write (409).
    /// </summary>
    public async Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await Table.AddEntityAsync(new TableEntity(IdPartition, TableKeys.Id(key.KeyId)) { ["TenantId"] = key.TenantId }, cancellationToken).ConfigureAwait(false);
        await Table.UpsertEntityAsync(ToEntity(TenantPartition(key.TenantId), TableKeys.Id(key.KeyId), key), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        await Table.UpsertEntityAsync(ToEntity(HashPartition(key.Hash), TableKeys.Id(key.Hash), key), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken) =>
        await FindAsync(HashPartition(hash), TableKeys.Id(hash), cancellationToken).ConfigureAwait(false) is { } row ? FromEntity(row) : null;

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        var keys = new List<ApiKeyRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TenantPartition(tenantId)}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            keys.Add(FromEntity(row));
        return keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The hash row first: it is the one that authenticates, so the key stops working before anything else changes.
    /// The tenant row then copies the revocation time. Revoking again keeps the first time and repairs a tenant row a
    /// failed earlier attempt left behind.
    /// </summary>
    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await FindAsync(IdPartition, TableKeys.Id(keyId), cancellationToken).ConfigureAwait(false) is not { } index) return false;
        var tenantPartition = TenantPartition(index.GetString("TenantId"));
        if (await FindAsync(tenantPartition, TableKeys.Id(keyId), cancellationToken).ConfigureAwait(false) is not { } byTenant) return false;

        var revokedAt = await RevokeHashRowAsync(byTenant.GetString("Hash"), at, cancellationToken).ConfigureAwait(false)
            ?? byTenant.GetDateTimeOffset("RevokedAt") ?? at;
        var update = new TableEntity(tenantPartition, byTenant.RowKey) { ["RevokedAt"] = revokedAt };
        await Table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sets the hash row's revocation time unless it has one; returns the time the row ends up with (null: no row).</summary>
    private async Task<DateTimeOffset?> RevokeHashRowAsync(string hash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await FindAsync(HashPartition(hash), TableKeys.Id(hash), cancellationToken).ConfigureAwait(false) is not { } row) return null;
            if (row.GetDateTimeOffset("RevokedAt") is { } earlier) return earlier;
            try
            {
                // Conditional on the ETag read, so that of two racing revocations the first time wins.
                await Table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["RevokedAt"] = at }, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return at;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxRevokeAttempts)
            {
            }
        }
    }

    private static string TenantPartition(string tenantId) => "t|" + TableKeys.Partition(tenantId);

    /// <summary>Hashes are uniform hex, so their first two digits spread authentication reads over 256 partitions.</summary>
    private static string HashPartition(string hash) => "h|" + TableKeys.Id(hash[..Math.Min(2, hash.Length)]);

    private static TableEntity ToEntity(string partition, string rowKey, ApiKeyRecord key)
    {
        var entity = new TableEntity(partition, rowKey)
        {
            ["KeyId"] = key.KeyId,
            ["TenantId"] = key.TenantId,
            ["Name"] = key.Name,
            ["Prefix"] = key.Prefix,
            ["Hash"] = key.Hash,
            ["CreatedAt"] = key.CreatedAt,
            ["Kind"] = key.Kind,
        };
        if (key.RevokedAt is { } revoked) entity["RevokedAt"] = revoked;
        if (PublishableKeyPolicyJson.Write(key.Publishable) is { } policy) entity["PublishablePolicy"] = policy;
        if (PlatformKeyPolicy.Write(key.Platform) is { } platform) entity["PlatformPolicy"] = platform;
        return entity;
    }

    private static ApiKeyRecord FromEntity(TableEntity row) => new()
    {
        KeyId = row.GetString("KeyId"),
        TenantId = row.GetString("TenantId"),
        Name = row.GetString("Name"),
        Prefix = row.GetString("Prefix"),
        Hash = row.GetString("Hash"),
        CreatedAt = row.GetDateTimeOffset("CreatedAt") ?? default,
        RevokedAt = row.GetDateTimeOffset("RevokedAt"),
        // Rows written before key kinds have neither property: they are secret keys.
        Publishable = PublishableKeyPolicyJson.Read(row.GetString("Kind") ?? ApiKeyKinds.Secret, row.GetString("PublishablePolicy")),
        Platform = PlatformKeyPolicy.Read(row.GetString("Kind") ?? ApiKeyKinds.Secret, row.GetString("PlatformPolicy")),
    };
}
