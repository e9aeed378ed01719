using Azure.Data.Tables;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Tables;

public sealed partial class TableStore
{
    private const int MaxSweep = 40;

    public async Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Partition(scope.TenantId);
        var row = await GetAsync(partition, TableKeys.Counter(period.Key, scope), cancellationToken).ConfigureAwait(false);
        // Counted from the reservation rows: a counter's Reserved figures exist only where a limit needs them.
        var prefix = TableKeys.ReservationPrefix;
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)} and Period eq {period.Key} and ExpiresAt gt {_clock.GetUtcNow()}");
        if (scope.UserId is not null) filter += " and " + TableClient.CreateQueryFilter($"User eq {scope.UserId}");
        if (scope.KeyId is not null) filter += " and " + TableClient.CreateQueryFilter($"Key eq {scope.KeyId}");
        long reserved = 0, costReserved = 0;
        await foreach (var live in _table.QueryAsync<TableEntity>(filter, select: ["Tokens", "Cost"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            reserved += Long(live, "Tokens");
            costReserved += Long(live, "Cost");
        }
        return Figures(row) with { Reserved = reserved, CostReserved = costReserved };
    }

    public Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, CallLimits limits, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            // Only a limited scope's counter holds reserved tokens and money: an unlimited tenant's counter row is then
            // not a point every admission of the tenant has to win an ETag race on.
            var partition = TableKeys.Partition(reservation.TenantId);
            var counters = new List<(QuotaScope Scope, EffectiveLimits Limits, string RowKey, TableEntity? Row)>(3);
            foreach (var (scope, limit) in limits.Limited(reservation.TenantId, reservation.UserId))
            {
                var rowKey = TableKeys.Counter(reservation.Period.Key, scope);
                counters.Add((scope, limit, rowKey, await GetAsync(partition, rowKey, token).ConfigureAwait(false)));
            }

            foreach (var (scope, limit, _, row) in counters)
            {
                var counter = Figures(row);
                if (limit.Admits(counter, reservation.Tokens, reservation.Cost)) continue;
                // Expired reservations only matter when they would refuse a call: free them, then decide again.
                if ((counter.Reserved > 0 || counter.CostReserved > 0) && await SweepExpiredAsync(partition, reservation.Period, token).ConfigureAwait(false))
                    throw new Azure.RequestFailedException(412, "Expired reservations were swept; deciding again.");
                return ReserveOutcome.Refused(scope, counter);
            }

            var held = new TableEntity(partition, TableKeys.Reservation(reservation.Id))
            {
                ["Period"] = reservation.Period.Key,
                ["User"] = reservation.UserId,
                ["Tokens"] = reservation.Tokens,
                ["Cost"] = reservation.Cost,
                ["ExpiresAt"] = reservation.ExpiresAt,
                ["HeldByTenant"] = counters.Exists(c => c.Scope is { IsUser: false, IsApiKey: false }),
                ["HeldByUser"] = counters.Exists(c => c.Scope.IsUser),
                ["HeldByKey"] = counters.Exists(c => c.Scope.IsApiKey),
            };
            if (reservation.KeyId is { } keyId) held["Key"] = keyId;
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, held) };
            foreach (var (_, _, rowKey, row) in counters)
                actions.Add(Write(row, CounterRow(partition, rowKey, row, new CounterDelta(0, reservation.Tokens, 0, reservation.Cost))));
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return new ReserveOutcome(true, null, default);
        }, cancellationToken);

    public Task<ReserveOutcome> TryGrowAsync(QuotaReservation reservation, long tokens, long cost, CallLimits limits, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            var partition = TableKeys.Partition(reservation.TenantId);
            if (await GetAsync(partition, TableKeys.Reservation(reservation.Id), token).ConfigureAwait(false) is not { } held
                || held.GetDateTimeOffset("ExpiresAt") <= _clock.GetUtcNow())
            {
                var user = QuotaScope.User(reservation.TenantId, reservation.UserId);
                return ReserveOutcome.Refused(user, Figures(await GetAsync(partition, TableKeys.Counter(reservation.Period.Key, user), token).ConfigureAwait(false)));
            }
            var extra = new CounterDelta(0, Math.Max(0, tokens - Long(held, "Tokens")), 0, Math.Max(0, cost - Long(held, "Cost")));

            // Every limited scope is checked; only the counters that hold the reservation carry it (see TryReserveAsync).
            var actions = new List<TableTransactionAction>();
            foreach (var (scope, limit) in limits.Limited(reservation.TenantId, reservation.UserId))
            {
                var rowKey = TableKeys.Counter(reservation.Period.Key, scope);
                var row = await GetAsync(partition, rowKey, token).ConfigureAwait(false);
                if (!limit.Admits(Figures(row), extra.Reserved, extra.CostReserved)) return ReserveOutcome.Refused(scope, Figures(row));
                if (HoldsReservation(held, scope)) actions.Add(Write(row, CounterRow(partition, rowKey, row, extra)));
            }
            held["Tokens"] = Long(held, "Tokens") + extra.Reserved;
            held["Cost"] = Long(held, "Cost") + extra.CostReserved;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, held, held.ETag));
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return new ReserveOutcome(true, null, default);
        }, cancellationToken);

    private static bool HoldsReservation(TableEntity reservation, QuotaScope scope) =>
        reservation.GetBoolean(scope.IsUser ? "HeldByUser" : scope.IsApiKey ? "HeldByKey" : "HeldByTenant") == true;

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            var partition = TableKeys.Partition(reservation.TenantId);
            if (await GetAsync(partition, TableKeys.Reservation(reservation.Id), token).ConfigureAwait(false) is not { } row) return 0;
            var actions = new List<TableTransactionAction>();
            var deltas = new Dictionary<string, CounterDelta>();
            Settle(row, actions, deltas);
            await AddCounterWritesAsync(partition, deltas, actions, token).ConfigureAwait(false);
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return 1;
        }, cancellationToken);

    public async Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        var row = await GetAsync(TableKeys.Partition(scope.TenantId), TableKeys.Override(scope), cancellationToken).ConfigureAwait(false);
        return row is null ? null : new QuotaOverride(row.GetInt64("TokenLimit"), row.GetInt32("RequestsPerMinute"),
            row.GetInt64("CostLimitNanodollars") is { } cost ? Nanodollars.ToUsd(cost) : null);
    }

    public async Task SetOverrideAsync(QuotaScope scope, QuotaOverride? value, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Partition(scope.TenantId);
        var rowKey = TableKeys.Override(scope);
        if (value is null)
        {
            await _table.DeleteEntityAsync(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        // A set, not a read-modify-write: the last administrator's values win, so no ETag is needed.
        var row = new TableEntity(partition, rowKey) { ["UpdatedAt"] = _clock.GetUtcNow() };
        if (value.TokenLimit is { } tokens) row["TokenLimit"] = tokens;
        if (value.RequestsPerMinute is { } rpm) row["RequestsPerMinute"] = rpm;
        if (value.CostLimitUsd is { } cost) row["CostLimitNanodollars"] = Nanodollars.LimitOf(cost);
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> OpenPeriodAsync(QuotaPeriod previous, QuotaPeriod current, CancellationToken cancellationToken)
    {
        var prefix = TableKeys.CounterPrefix + previous.Key + "|";
        var filter = TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        var opened = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var rowKey = $"{TableKeys.CounterPrefix}{current.Key}|{row.RowKey[prefix.Length..]}";
            try
            {
                await _table.AddEntityAsync(CounterRow(row.PartitionKey, rowKey, null, default), cancellationToken).ConfigureAwait(false);
                opened++;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 409)
            {
                // Opened already (an earlier run, or a call in the new period): nothing to do.
            }
        }
        return opened;
    }

    /// <summary>Removes up to <see cref="MaxSweep"/> expired reservations of a period from the counters. False when there were none.</summary>
    private async Task<bool> SweepExpiredAsync(string partition, QuotaPeriod period, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();
        var deltas = new Dictionary<string, CounterDelta>();
        await foreach (var expired in ExpiredAsync(partition, period, cancellationToken).ConfigureAwait(false))
        {
            Settle(expired, actions, deltas);
            if (actions.Count >= MaxSweep) break;
        }
        if (actions.Count == 0) return false;
        await AddCounterWritesAsync(partition, deltas, actions, cancellationToken).ConfigureAwait(false);
        await SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private IAsyncEnumerable<TableEntity> ExpiredAsync(string partition, QuotaPeriod period, CancellationToken cancellationToken)
    {
        var prefix = TableKeys.ReservationPrefix;
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)} and Period eq {period.Key} and ExpiresAt le {_clock.GetUtcNow()}");
        return _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes a reservation row (if unchanged since read) and takes its tokens and money off the counters that hold them.</summary>
    private static void Settle(TableEntity reservation, List<TableTransactionAction> actions, Dictionary<string, CounterDelta> deltas)
    {
        actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, reservation, reservation.ETag));
        var period = reservation.GetString("Period");
        var tenantId = reservation.PartitionKey;
        var release = new CounterDelta(0, -Long(reservation, "Tokens"), 0, -Long(reservation, "Cost"));
        // The scopes' ids only name rows here; the partition key is already the escaped tenant id.
        if (reservation.GetBoolean("HeldByTenant") == true) AddDelta(deltas, TableKeys.Counter(period, QuotaScope.Tenant(tenantId)), release);
        if (reservation.GetBoolean("HeldByUser") == true) AddDelta(deltas, TableKeys.Counter(period, QuotaScope.User(tenantId, reservation.GetString("User"))), release);
        if (reservation.GetBoolean("HeldByKey") == true) AddDelta(deltas, TableKeys.Counter(period, QuotaScope.ApiKey(tenantId, reservation.GetString("Key"))), release);
    }

    private static void AddDelta(Dictionary<string, CounterDelta> deltas, string rowKey, CounterDelta delta) =>
        deltas[rowKey] = deltas.GetValueOrDefault(rowKey) + delta;

    /// <summary>Reads each counter named in <paramref name="deltas"/> and adds its ETag-conditional write.</summary>
    private async Task AddCounterWritesAsync(string partition, Dictionary<string, CounterDelta> deltas, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var (rowKey, delta) in deltas)
        {
            var row = await GetAsync(partition, rowKey, cancellationToken).ConfigureAwait(false);
            actions.Add(Write(row, CounterRow(partition, rowKey, row, delta)));
        }
    }

    /// <summary>A counter row's figures; money in nano-dollars.</summary>
    private static QuotaCounter Figures(TableEntity? row) =>
        new(Long(row, "Used"), Long(row, "Reserved"), Long(row, "CostUsed"), Long(row, "CostReserved"));

    private static TableEntity CounterRow(string partition, string rowKey, TableEntity? current, CounterDelta delta)
    {
        var figures = Figures(current);
        return new TableEntity(partition, rowKey)
        {
            ["Used"] = figures.Used + delta.Used,
            // Never below zero: a reservation is settled once (its row is deleted in the same transaction).
            ["Reserved"] = Math.Max(0, figures.Reserved + delta.Reserved),
            ["CostUsed"] = figures.CostUsed + delta.CostUsed,
            ["CostReserved"] = Math.Max(0, figures.CostReserved + delta.CostReserved),
        };
    }

    /// <summary>What one change adds to a counter row: tokens and money (nano-dollars), used and reserved.</summary>
    private readonly record struct CounterDelta(long Used, long Reserved, long CostUsed, long CostReserved)
    {
        public static CounterDelta operator +(CounterDelta a, CounterDelta b) =>
            new(a.Used + b.Used, a.Reserved + b.Reserved, a.CostUsed + b.CostUsed, a.CostReserved + b.CostReserved);
    }
}
