using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// A store that owns one table of its own (keys, cache, request log): creates it at start-up and shares the
/// point-read, bucketing and bulk-delete helpers the three of them need.
/// </summary>
public abstract class TableBackedStore(TableClient table)
{
    /// <summary>Most entity operations one entity-group transaction may hold.</summary>
    private const int MaxBatch = 100;

    protected TableClient Table { get; } = table;

    public async Task CreateTableAsync(CancellationToken cancellationToken) =>
        await Table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    protected async Task<TableEntity?> FindAsync(string partition, string rowKey, CancellationToken cancellationToken, IEnumerable<string>? select = null)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, select, cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Two hex digits derived from <paramref name="value"/>: spreads index rows over 256 partitions so that no single
    /// partition (about 2,000 operations a second) becomes the ceiling of the whole proxy.
    /// </summary>
    protected static string Bucket(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0, 1);

    /// <summary>
    /// Deletes rows, up to 100 per entity-group transaction within a partition, each conditional on its ETag. When a
    /// transaction fails because a row went away or changed meanwhile (a concurrent purge or writer), its rows are
    /// deleted one by one and the vanished or changed ones are skipped. Returns how many rows this call deleted.
    /// </summary>
    protected async Task<int> DeleteAsync(IEnumerable<ITableEntity> rows, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
            foreach (var chunk in partition.Chunk(MaxBatch))
            {
                try
                {
                    await Table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), cancellationToken).ConfigureAwait(false);
                    deleted += chunk.Length;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    foreach (var row in chunk)
                        if (await DeleteOneAsync(row, cancellationToken).ConfigureAwait(false)) deleted++;
                }
            }
        return deleted;
    }

    private async Task<bool> DeleteOneAsync(ITableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
            return response.Status is >= 200 and < 300;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }
}
