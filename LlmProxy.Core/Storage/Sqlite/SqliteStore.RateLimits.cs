using LlmProxy.Core.Quotas;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task<RateDecision> TryAcquireAsync(string tenantId, string userId, DateTimeOffset window, int? tenantLimit, int? userLimit, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        await using (transaction)
        {
            var start = window.ToUnixTimeMilliseconds();
            var counts = await CountsAsync(connection, transaction, tenantId, userId, start, cancellationToken).ConfigureAwait(false);
            if (userLimit is { } u && counts.User >= u) return new RateDecision(false, QuotaScope.User(tenantId, userId), counts);
            if (tenantLimit is { } t && counts.Tenant >= t) return new RateDecision(false, QuotaScope.Tenant(tenantId), counts);

            foreach (var (scope, limit) in new[] { (QuotaScope.Tenant(tenantId), tenantLimit), (QuotaScope.User(tenantId, userId), userLimit) })
            {
                if (limit is null) continue;
                // Earlier windows of the scope are over; dropping them keeps the table at one row per active scope.
                await using var count = Command(connection, transaction, """
                    DELETE FROM rate_windows WHERE scope = $scope AND window_start_ms < $window;
                    INSERT INTO rate_windows (scope, window_start_ms, requests) VALUES ($scope, $window, 1)
                    ON CONFLICT (scope, window_start_ms) DO UPDATE SET requests = requests + 1;
                    """, ("$scope", scope.Key), ("$window", start));
                await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new RateDecision(true, null, new RateCounts(counts.Tenant + (tenantLimit is null ? 0 : 1), counts.User + (userLimit is null ? 0 : 1)));
        }
    }

    public async Task<RateCounts> GetCountsAsync(string tenantId, string userId, DateTimeOffset window, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await CountsAsync(connection, null, tenantId, userId, window.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RateCounts> CountsAsync(SqliteConnection connection, SqliteTransaction? transaction, string tenantId, string userId, long window, CancellationToken cancellationToken)
    {
        await using var query = Command(connection, transaction, """
            SELECT COALESCE((SELECT requests FROM rate_windows WHERE scope = $tenant AND window_start_ms = $window), 0),
                   COALESCE((SELECT requests FROM rate_windows WHERE scope = $user AND window_start_ms = $window), 0);
            """, ("$tenant", QuotaScope.Tenant(tenantId).Key), ("$user", QuotaScope.User(tenantId, userId).Key), ("$window", window));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new RateCounts(reader.GetInt32(0), reader.GetInt32(1));
    }
}
