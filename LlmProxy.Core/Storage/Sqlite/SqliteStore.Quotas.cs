using LlmProxy.Core.Quotas;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await CounterAsync(connection, null, scope, period, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, long? tenantLimit, long? userLimit, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        await using (transaction)
        {
            // Expired reservations belong to calls whose usage event never arrived (a crashed instance); dropping
            // them here, under the write lock, is what frees their tokens.
            await using (var sweep = Command(connection, transaction, "DELETE FROM quota_reservations WHERE expires_ms <= $now;",
                ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds())))
                await sweep.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            var scopes = new[] { (Scope: QuotaScope.User(reservation.TenantId, reservation.UserId), Limit: userLimit), (Scope: QuotaScope.Tenant(reservation.TenantId), Limit: tenantLimit) };
            foreach (var (scope, limit) in scopes)
            {
                if (limit is not { } max) continue;
                var counter = await CounterAsync(connection, transaction, scope, reservation.Period, cancellationToken).ConfigureAwait(false);
                if (counter.Used + counter.Reserved + reservation.Tokens > max)
                    return ReserveOutcome.Refused(scope, counter);
            }

            foreach (var (scope, _) in scopes)
            {
                await using var insert = Command(connection, transaction, """
                    INSERT INTO quota_reservations (id, scope, period_start, tokens, expires_ms) VALUES ($id, $scope, $period, $tokens, $expires);
                    """, ("$id", reservation.Id), ("$scope", scope.Key), ("$period", reservation.Period.Key),
                    ("$tokens", reservation.Tokens), ("$expires", reservation.ExpiresAt.ToUnixTimeMilliseconds()));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new ReserveOutcome(true, null, default);
        }
    }

    public async Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = Command(connection, null, "DELETE FROM quota_reservations WHERE id = $id;", ("$id", reservation.Id));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Command(connection, null, "SELECT token_limit, requests_per_minute FROM quota_overrides WHERE scope = $scope;", ("$scope", scope.Key));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new QuotaOverride(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
    }

    public async Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = value is null
            ? Command(connection, null, "DELETE FROM quota_overrides WHERE scope = $scope;", ("$scope", scope.Key))
            : Command(connection, null, """
                INSERT INTO quota_overrides (scope, token_limit, requests_per_minute, updated_ms) VALUES ($scope, $limit, $rpm, $now)
                ON CONFLICT (scope) DO UPDATE SET token_limit = excluded.token_limit,
                    requests_per_minute = excluded.requests_per_minute, updated_ms = excluded.updated_ms;
                """, ("$scope", scope.Key), ("$limit", value.TokenLimit), ("$rpm", value.RequestsPerMinute),
                ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            INSERT OR IGNORE INTO quota_counters (scope, period_start, used_tokens)
            SELECT scope, $current, 0 FROM quota_counters WHERE period_start = $previous;
            """, ("$previous", previous.Key), ("$current", current.Key));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<QuotaCounter> CounterAsync(SqliteConnection connection, SqliteTransaction? transaction, QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        await using var query = Command(connection, transaction, """
            SELECT COALESCE((SELECT used_tokens FROM quota_counters WHERE scope = $scope AND period_start = $period), 0),
                   COALESCE((SELECT SUM(tokens) FROM quota_reservations WHERE scope = $scope AND period_start = $period AND expires_ms > $now), 0);
            """, ("$scope", scope.Key), ("$period", period.Key), ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new QuotaCounter(reader.GetInt64(0), reader.GetInt64(1));
    }
}
