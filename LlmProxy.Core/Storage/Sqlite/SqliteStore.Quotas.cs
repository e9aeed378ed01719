using LlmProxy.Core.Quotas;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(scope, period, cancellationToken).ConfigureAwait(false);
        return _ledger.CounterFor(scope, period);
    }

    public async Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, long? tenantLimit, long? userLimit, CancellationToken cancellationToken)
    {
        if (userLimit is not null)
            await EnsureLoadedAsync(QuotaScope.User(reservation.TenantId, reservation.UserId), reservation.Period, cancellationToken).ConfigureAwait(false);
        if (tenantLimit is not null)
            await EnsureLoadedAsync(QuotaScope.Tenant(reservation.TenantId), reservation.Period, cancellationToken).ConfigureAwait(false);
        return _ledger.TryReserve(reservation, tenantLimit, userLimit);
    }

    /// <summary>The counters were loaded when the reservation was taken, and a held reservation keeps them in memory.</summary>
    public Task<ReserveOutcome> TryGrowAsync(QuotaReservation reservation, long tokens, long? tenantLimit, long? userLimit, CancellationToken cancellationToken) =>
        Task.FromResult(_ledger.TryGrow(reservation, tokens, tenantLimit, userLimit));

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken)
    {
        _ledger.Settle(reservation.Id);
        return Task.CompletedTask;
    }

    /// <summary>Overrides are read on every admission and change rarely; this process is the only writer, so its copy stays exact.</summary>
    public async Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        var key = scope.Key;
        if (_overrides.TryGetValue(key, out var known)) return known;
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Command(connection, null, "SELECT token_limit, requests_per_minute FROM quota_overrides WHERE scope = $scope;", ("$scope", key));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stored = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new QuotaOverride(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt32(1))
            : null;
        // TryAdd, not a set: a SetOverrideAsync that finished meanwhile has stored the newer value.
        _overrides.TryAdd(key, stored);
        return _overrides[key];
    }

    public async Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken)
    {
        await (value is null
            ? WriteAsync("DELETE FROM quota_overrides WHERE scope = $scope;", cancellationToken, ("$scope", scope.Key))
            : WriteAsync("""
                INSERT INTO quota_overrides (scope, token_limit, requests_per_minute, updated_ms) VALUES ($scope, $limit, $rpm, $now)
                ON CONFLICT (scope) DO UPDATE SET token_limit = excluded.token_limit,
                    requests_per_minute = excluded.requests_per_minute, updated_ms = excluded.updated_ms;
                """, cancellationToken, ("$scope", scope.Key), ("$limit", value.TokenLimit), ("$rpm", value.RequestsPerMinute),
                ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()))).ConfigureAwait(false);
        _overrides[scope.Key] = value;
    }

    public Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT OR IGNORE INTO quota_counters (scope, period_start, used_tokens)
            SELECT scope, $current, 0 FROM quota_counters WHERE period_start = $previous;
            """, cancellationToken, ("$previous", previous.Key), ("$current", current.Key));

    /// <summary>
    /// Reads a scope's used tokens from the file the first time admission needs them, holding the write turn: the
    /// recorder applies a committed batch to the ledger before it gives the turn back, so the figure read never
    /// misses a batch and never counts one twice.
    /// </summary>
    private async Task EnsureLoadedAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        if (_ledger.IsLoaded(scope, period)) return;
        await using var turn = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (_ledger.IsLoaded(scope, period)) return;
        await using var query = Command(turn.Connection, turn.Transaction,
            "SELECT COALESCE((SELECT used_tokens FROM quota_counters WHERE scope = $scope AND period_start = $period), 0);",
            ("$scope", scope.Key), ("$period", period.Key));
        _ledger.Load(scope, period, Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)));
    }
}
