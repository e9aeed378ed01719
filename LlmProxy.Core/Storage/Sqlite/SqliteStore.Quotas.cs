using LlmProxy.Core.Quotas;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>
    /// How often a scope is loaded again when the ledger forgot it between the load and its use (other calls made
    /// room meanwhile); it forgets the least recently used first, so a second load is already rare.
    /// </summary>
    private const int MaxLoads = 10;

    public async Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        for (var load = 1; ; load++)
        {
            await EnsureLoadedAsync(scope, period, cancellationToken).ConfigureAwait(false);
            if (_ledger.CounterFor(scope, period) is { } counter) return counter;
            if (load == MaxLoads) throw Forgotten(scope);
        }
    }

    public async Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, CallLimits limits, CancellationToken cancellationToken)
    {
        for (var load = 1; ; load++)
        {
            foreach (var (scope, _) in limits.Limited(reservation.TenantId, reservation.UserId))
                await EnsureLoadedAsync(scope, reservation.Period, cancellationToken).ConfigureAwait(false);
            if (_ledger.TryReserve(reservation, limits) is { } outcome) return outcome;
            if (load == MaxLoads) throw Forgotten(QuotaScope.User(reservation.TenantId, reservation.UserId));
        }
    }

    /// <summary>A held reservation keeps its scopes' counters in memory, so growing it reads nothing from the file.</summary>
    public Task<ReserveOutcome> TryGrowAsync(QuotaReservation reservation, long tokens, long cost, CallLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult(_ledger.TryGrow(reservation, tokens, cost, limits));

    private static InvalidOperationException Forgotten(QuotaScope scope) =>
        new($"The admission ledger forgot {scope.Key} {MaxLoads} times in a row while loading it; more calls are in flight than it holds counters ({AdmissionLedger.MaxCounters}).");

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken)
    {
        _ledger.Settle(reservation.Id);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Overrides are read on every admission and set only by operators; all of them are in memory from start-up
    /// (<see cref="LoadOverridesAsync"/>), and this process is the only writer, so the copy stays exact. A scope
    /// without one costs no entry: callers choose user ids, operators choose overrides.
    /// </summary>
    public Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken) =>
        Task.FromResult(_overrides.TryGetValue(scope.Key, out var value) ? value : null);

    private async Task LoadOverridesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = Command(connection, null, "SELECT scope, token_limit, requests_per_minute, cost_limit_nanodollars FROM quota_overrides;");
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            _overrides[reader.GetString(0)] = new QuotaOverride(reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : Nanodollars.ToUsd(reader.GetInt64(3)));
    }

    public async Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken)
    {
        await (value is null
            ? WriteAsync("DELETE FROM quota_overrides WHERE scope = $scope;", cancellationToken, ("$scope", scope.Key))
            : WriteAsync("""
                INSERT INTO quota_overrides (scope, token_limit, requests_per_minute, cost_limit_nanodollars, updated_ms)
                VALUES ($scope, $limit, $rpm, $cost, $now)
                ON CONFLICT (scope) DO UPDATE SET token_limit = excluded.token_limit, requests_per_minute = excluded.requests_per_minute,
                    cost_limit_nanodollars = excluded.cost_limit_nanodollars, updated_ms = excluded.updated_ms;
                """, cancellationToken, ("$scope", scope.Key), ("$limit", value.TokenLimit), ("$rpm", value.RequestsPerMinute),
                ("$cost", value.CostLimitUsd is { } cost ? Nanodollars.LimitOf(cost) : null),
                ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()))).ConfigureAwait(false);
        if (value is null) _overrides.TryRemove(scope.Key, out _);
        else _overrides[scope.Key] = value;
    }

    public Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT OR IGNORE INTO quota_counters (scope, period_start, used_tokens)
            SELECT scope, $current, 0 FROM quota_counters WHERE period_start = $previous;
            """, cancellationToken, ("$previous", previous.Key), ("$current", current.Key));

    /// <summary>
    /// Reads a scope's used tokens and money from the file the first time admission needs them, holding the write turn: the
    /// recorder applies a committed batch to the ledger before it gives the turn back, so the figure read never
    /// misses a batch and never counts one twice.
    /// </summary>
    private async Task EnsureLoadedAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        if (_ledger.IsLoaded(scope, period)) return;
        await using var turn = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (_ledger.IsLoaded(scope, period)) return;
        await using var query = Command(turn.Connection, turn.Transaction,
            "SELECT used_tokens, used_nanodollars FROM quota_counters WHERE scope = $scope AND period_start = $period;",
            ("$scope", scope.Key), ("$period", period.Key));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        _ledger.Load(scope, period, found ? reader.GetInt64(0) : 0, found ? reader.GetInt64(1) : 0);
    }
}
