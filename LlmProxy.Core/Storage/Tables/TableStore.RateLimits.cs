using Azure.Data.Tables;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Tables;

public sealed partial class TableStore
{
    public Task<RateDecision> TryAcquireAsync(string tenantId, string userId, DateTimeOffset window, int? tenantLimit, int? userLimit, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            // Only limited scopes are counted, so an unlimited tenant's window is no row for all its users to race on.
            var partition = TableKeys.Partition(tenantId);
            var tenant = tenantLimit is null ? null : await GetAsync(partition, TableKeys.RateWindow(null), token).ConfigureAwait(false);
            var user = userLimit is null ? null : await GetAsync(partition, TableKeys.RateWindow(userId), token).ConfigureAwait(false);
            var counts = new RateCounts(Count(tenant, window), Count(user, window));
            if (userLimit is { } u && counts.User >= u) return new RateDecision(false, QuotaScope.User(tenantId, userId), counts);
            if (tenantLimit is { } t && counts.Tenant >= t) return new RateDecision(false, QuotaScope.Tenant(tenantId), counts);

            // Both windows in one transaction: a request counts for the tenant and the user, or for neither.
            var actions = new List<TableTransactionAction>();
            if (tenantLimit is not null) actions.Add(Write(tenant, WindowRow(partition, TableKeys.RateWindow(null), window, counts.Tenant + 1)));
            if (userLimit is not null) actions.Add(Write(user, WindowRow(partition, TableKeys.RateWindow(userId), window, counts.User + 1)));
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return new RateDecision(true, null, new RateCounts(counts.Tenant + (tenantLimit is null ? 0 : 1), counts.User + (userLimit is null ? 0 : 1)));
        }, cancellationToken);

    public async Task<RateCounts> GetCountsAsync(string tenantId, string userId, DateTimeOffset window, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Partition(tenantId);
        var tenant = await GetAsync(partition, TableKeys.RateWindow(null), cancellationToken).ConfigureAwait(false);
        var user = userId.Length == 0 ? null : await GetAsync(partition, TableKeys.RateWindow(userId), cancellationToken).ConfigureAwait(false);
        return new RateCounts(Count(tenant, window), Count(user, window));
    }

    /// <summary>One row per scope holds the current window; a row from an earlier window counts as zero.</summary>
    private static int Count(TableEntity? row, DateTimeOffset window) =>
        row is not null && row.GetInt64("Window") == window.ToUnixTimeMilliseconds() ? row.GetInt32("Count") ?? 0 : 0;

    private static TableEntity WindowRow(string partition, string rowKey, DateTimeOffset window, int count) => new(partition, rowKey)
    {
        ["Window"] = window.ToUnixTimeMilliseconds(),
        ["Count"] = count,
    };
}
