using Azure;
using Azure.Data.Tables;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// The cloud store on Azure Table Storage (Azurite locally). One table; one partition per tenant holding its
/// counters, reservations, usage events, overrides and request windows (<see cref="TableKeys"/>). Every
/// read-modify-write is an entity-group transaction conditional on the ETags read, retried when another instance
/// got there first, so figures never go stale however many instances run.
/// </summary>
public sealed partial class TableStore : IUsageStore, IQuotaStore, IRateLimitStore, IStoreLifecycle
{
    private const int MaxAttempts = 200;
    private readonly TableClient _table;
    private readonly TimeProvider _clock;

    public TableStore(AzureStorageClients clients, IOptions<StoreOptions> options, TimeProvider clock)
    {
        _table = clients.Table(options.Value.Connection, options.Value.TableName);
        _clock = clock;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken) =>
        await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
                break;
            return true;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs one optimistic attempt after another until one commits: an attempt reads what it needs, decides, and
    /// submits a transaction conditional on what it read. 412 (ETag moved), 409 (a row appeared) and 404 (a row
    /// went away) mean another writer won the race, so the attempt starts over from fresh reads.
    /// </summary>
    private static async Task<T> OptimisticAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 409 or 412 && tries < MaxAttempts)
            {
                // Jittered backoff so that racing instances spread out instead of colliding again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + Math.Min(tries, 20) * 2)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<TableEntity?> GetAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private async Task SubmitAsync(List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count > 0) await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the row when it was absent, else replaces it only if it still has the ETag that was read.</summary>
    private static TableTransactionAction Write(TableEntity? existing, TableEntity updated) =>
        existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, updated)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, updated, existing.ETag);

    private static long Long(TableEntity? entity, string name) => entity?.GetInt64(name) ?? 0;
}
