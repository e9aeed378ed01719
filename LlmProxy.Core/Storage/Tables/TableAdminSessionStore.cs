using Azure.Data.Tables;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Tables;

/// <summary>
/// Dashboard sign-outs in the keys table (<see cref="StoreOptions.KeysTableName"/>), in a partition of their own
/// (<c>sessions</c>; the key rows' partitions are <c>t|…</c>, <c>h|…</c> and <c>id</c>): a row <c>o|{sessionId}</c>
/// per signed-out session with its <c>ExpiresAt</c>, and the row <c>cutoff</c> with <c>IssuedBefore</c>.
/// </summary>
public sealed class TableAdminSessionStore(AzureStorageClients clients, IOptions<StoreOptions> options)
    : TableBackedStore(clients.Table(options.Value.Connection, options.Value.KeysTableName)), IAdminSessionStore
{
    private const string Partition = "sessions";
    private const string SignedOutPrefix = "o|";
    private const string CutoffRow = "cutoff";

    public async Task<SessionRevocations> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var signedOut = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? issuedBefore = null;
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == CutoffRow) issuedBefore = row.GetDateTimeOffset("IssuedBefore");
            else if (row.GetDateTimeOffset("ExpiresAt") > now) signedOut.Add(row.RowKey[SignedOutPrefix.Length..]);
        }
        return new SessionRevocations(signedOut, issuedBefore);
    }

    public async Task SignOutAsync(string sessionId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {SignedOutPrefix} and RowKey lt {TableKeys.PrefixEnd(SignedOutPrefix)} and ExpiresAt le {now}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false)) expired.Add(row);
        await DeleteAsync(expired, cancellationToken).ConfigureAwait(false);
        await Table.UpsertEntityAsync(new TableEntity(Partition, SignedOutPrefix + TableKeys.Id(sessionId)) { ["ExpiresAt"] = expiresAt },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Two cut-offs set at once by two instances are both "now"; the later write wins, a few milliseconds apart at most.</summary>
    public async Task SignOutEverywhereAsync(DateTimeOffset issuedBefore, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TableEntity(Partition, CutoffRow) { ["IssuedBefore"] = issuedBefore }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
}
