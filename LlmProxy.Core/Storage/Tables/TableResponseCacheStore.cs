using Azure.Data.Tables;
using LlmProxy.Core.Caching;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// The response cache in its own table (<see cref="StoreOptions.CacheTableName"/>): PartitionKey = tenant,
/// RowKey = cache key. Table Storage caps a property at 64 KiB and an entity at 1 MiB, so the payload (at most
/// <see cref="ResponseCacheOptions.MaxEntryBytes"/>, 900 KiB) is split over binary properties <c>P0..Pn</c> of
/// 60 KiB each, with <c>Parts</c> saying how many.
/// </summary>
public sealed class TableResponseCacheStore(AzureStorageClients clients, IOptions<StoreOptions> options)
    : TableBackedStore(clients.Table(options.Value.Connection, options.Value.CacheTableName)), IResponseCacheStore
{
    private const int PartBytes = 60 * 1024;

    public async Task<CacheEntry?> GetAsync(string tenantId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await FindAsync(TableKeys.Partition(tenantId), TableKeys.Id(key), cancellationToken).ConfigureAwait(false) is not { } row) return null;
        var expiresAt = row.GetDateTimeOffset("ExpiresAt") ?? default;
        if (expiresAt <= now) return null;

        var parts = row.GetInt32("Parts") ?? 0;
        var payload = new byte[row.GetInt32("Length") ?? 0];
        var offset = 0;
        for (var i = 0; i < parts; i++)
        {
            var part = row.GetBinary("P" + i);
            part.CopyTo(payload, offset);
            offset += part.Length;
        }
        return new CacheEntry(key, tenantId, payload, row.GetDateTimeOffset("CreatedAt") ?? default, expiresAt);
    }

    /// <summary>Replaces the whole entity, so parts of a longer earlier payload do not linger.</summary>
    public async Task SetAsync(CacheEntry entry, CancellationToken cancellationToken)
    {
        var row = new TableEntity(TableKeys.Partition(entry.TenantId), TableKeys.Id(entry.Key))
        {
            ["CreatedAt"] = entry.CreatedAt,
            ["ExpiresAt"] = entry.ExpiresAt,
            ["Length"] = entry.Payload.Length,
        };
        var parts = 0;
        foreach (var part in entry.Payload.Chunk(PartBytes)) row["P" + parts++] = part;
        row["Parts"] = parts;
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Scans the table for expired rows (a filter on <c>ExpiresAt</c>, not a key range: a housekeeping job, not a hot
    /// path) and deletes each only if it was not rewritten since it was read.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"ExpiresAt le {now}");
        await foreach (var page in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
            deleted += await DeleteAsync(page.Values, cancellationToken).ConfigureAwait(false);
        return deleted;
    }
}
