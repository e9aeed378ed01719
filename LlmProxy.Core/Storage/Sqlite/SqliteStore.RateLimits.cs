using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<RateDecision> TryAcquireAsync(string tenantId, string userId, DateTimeOffset window, int? tenantLimit, int? userLimit, CancellationToken cancellationToken) =>
        Task.FromResult(_ledger.TryAcquire(tenantId, userId, window, tenantLimit, userLimit));

    public Task<RateCounts> GetCountsAsync(string tenantId, string userId, DateTimeOffset window, CancellationToken cancellationToken) =>
        Task.FromResult(_ledger.CountsIn(tenantId, userId, window));
}
