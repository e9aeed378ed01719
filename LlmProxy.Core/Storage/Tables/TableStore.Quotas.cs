using Azure.Data.Tables;
using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Tables;

public sealed partial class TableStore
{
    private const int MaxSweep = 40;

    public async Task<QuotaCounter> GetCounterAsync(QuotaScope scope, QuotaPeriod period, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Partition(scope.TenantId);
        var row = await GetAsync(partition, TableKeys.Counter(period, scope.UserId), cancellationToken).ConfigureAwait(false);
        // Counted from the reservation rows: a counter's Reserved figure exists only where a limit needs it.
        var prefix = TableKeys.ReservationPrefix;
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)} and Period eq {period.Key} and ExpiresAt gt {_clock.GetUtcNow()}");
        if (scope.UserId is not null) filter += " and " + TableClient.CreateQueryFilter($"User eq {scope.UserId}");
        long reserved = 0;
        await foreach (var live in _table.QueryAsync<TableEntity>(filter, select: ["Tokens"], cancellationToken: cancellationToken).ConfigureAwait(false))
            reserved += Long(live, "Tokens");
        return new QuotaCounter(Long(row, "Used"), reserved);
    }

    public Task<ReserveOutcome> TryReserveAsync(QuotaReservation reservation, long? tenantLimit, long? userLimit, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            // Only a limited scope's counter holds reserved tokens: an unlimited tenant's counter row is then not
            // a point every admission of the tenant has to win an ETag race on.
            var partition = TableKeys.Partition(reservation.TenantId);
            var tenantKey = TableKeys.Counter(reservation.Period, null);
            var userKey = TableKeys.Counter(reservation.Period, reservation.UserId);
            var tenant = tenantLimit is null ? null : await GetAsync(partition, tenantKey, token).ConfigureAwait(false);
            var user = userLimit is null ? null : await GetAsync(partition, userKey, token).ConfigureAwait(false);

            foreach (var (scope, row, limit) in new[] { (QuotaScope.User(reservation.TenantId, reservation.UserId), user, userLimit), (QuotaScope.Tenant(reservation.TenantId), tenant, tenantLimit) })
            {
                var counter = new QuotaCounter(Long(row, "Used"), Long(row, "Reserved"));
                if (limit is not { } max || counter.Used + counter.Reserved + reservation.Tokens <= max) continue;
                // Expired reservations only matter when they would refuse a call: free them, then decide again.
                if (counter.Reserved > 0 && await SweepExpiredAsync(partition, reservation.Period, token).ConfigureAwait(false))
                    throw new Azure.RequestFailedException(412, "Expired reservations were swept; deciding again.");
                return ReserveOutcome.Refused(scope, counter);
            }

            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(partition, TableKeys.Reservation(reservation.Id))
                {
                    ["Period"] = reservation.Period.Key,
                    ["User"] = reservation.UserId,
                    ["Tokens"] = reservation.Tokens,
                    ["ExpiresAt"] = reservation.ExpiresAt,
                    ["HeldByTenant"] = tenantLimit is not null,
                    ["HeldByUser"] = userLimit is not null,
                }),
            };
            if (tenantLimit is not null) actions.Add(Write(tenant, CounterRow(partition, tenantKey, tenant, 0, reservation.Tokens)));
            if (userLimit is not null) actions.Add(Write(user, CounterRow(partition, userKey, user, 0, reservation.Tokens)));
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return new ReserveOutcome(true, null, default);
        }, cancellationToken);

    public Task<ReserveOutcome> TryGrowAsync(QuotaReservation reservation, long tokens, long? tenantLimit, long? userLimit, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            var partition = TableKeys.Partition(reservation.TenantId);
            var userScope = QuotaScope.User(reservation.TenantId, reservation.UserId);
            var userKey = TableKeys.Counter(reservation.Period, reservation.UserId);
            if (await GetAsync(partition, TableKeys.Reservation(reservation.Id), token).ConfigureAwait(false) is not { } row
                || row.GetDateTimeOffset("ExpiresAt") <= _clock.GetUtcNow())
                return ReserveOutcome.Refused(userScope, new QuotaCounter(Long(await GetAsync(partition, userKey, token).ConfigureAwait(false), "Used"), 0));
            var extra = tokens - Long(row, "Tokens");

            // Only the counters that hold the reservation carry its tokens in Reserved (see TryReserveAsync).
            var actions = new List<TableTransactionAction>();
            foreach (var (scope, key, held, limit) in new[]
                     {
                         (userScope, userKey, row.GetBoolean("HeldByUser") == true, userLimit),
                         (QuotaScope.Tenant(reservation.TenantId), TableKeys.Counter(reservation.Period, null), row.GetBoolean("HeldByTenant") == true, tenantLimit),
                     })
            {
                if (!held && limit is null) continue;
                var counter = await GetAsync(partition, key, token).ConfigureAwait(false);
                var figures = new QuotaCounter(Long(counter, "Used"), Long(counter, "Reserved"));
                if (limit is { } max && figures.Used + figures.Reserved + extra > max) return ReserveOutcome.Refused(scope, figures);
                if (held) actions.Add(Write(counter, CounterRow(partition, key, counter, 0, extra)));
            }
            row["Tokens"] = tokens;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, row, row.ETag));
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return new ReserveOutcome(true, null, default);
        }, cancellationToken);

    public Task ReleaseAsync(QuotaReservation reservation, CancellationToken cancellationToken) =>
        OptimisticAsync(async token =>
        {
            var partition = TableKeys.Partition(reservation.TenantId);
            if (await GetAsync(partition, TableKeys.Reservation(reservation.Id), token).ConfigureAwait(false) is not { } row) return 0;
            var actions = new List<TableTransactionAction>();
            var deltas = new Dictionary<string, (long Used, long Reserved)>();
            Settle(row, actions, deltas);
            await AddCounterWritesAsync(partition, deltas, actions, token).ConfigureAwait(false);
            await SubmitAsync(actions, token).ConfigureAwait(false);
            return 1;
        }, cancellationToken);

    public async Task<QuotaOverride?> GetOverrideAsync(QuotaScope scope, CancellationToken cancellationToken)
    {
        var row = await GetAsync(TableKeys.Partition(scope.TenantId), TableKeys.Override(scope), cancellationToken).ConfigureAwait(false);
        return row is null ? null : new QuotaOverride(row.GetInt64("TokenLimit"), row.GetInt32("RequestsPerMinute"));
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
                await _table.AddEntityAsync(CounterRow(row.PartitionKey, rowKey, null, 0, 0), cancellationToken).ConfigureAwait(false);
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
        var deltas = new Dictionary<string, (long Used, long Reserved)>();
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

    /// <summary>Deletes a reservation row (if unchanged since read) and takes its tokens off the reserved figure of the counters that hold it.</summary>
    private static void Settle(TableEntity reservation, List<TableTransactionAction> actions, Dictionary<string, (long Used, long Reserved)> deltas)
    {
        actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, reservation, reservation.ETag));
        var period = reservation.GetString("Period");
        var tokens = Long(reservation, "Tokens");
        if (reservation.GetBoolean("HeldByTenant") == true) AddDelta(deltas, TableKeys.Counter(period, null), 0, -tokens);
        if (reservation.GetBoolean("HeldByUser") == true) AddDelta(deltas, TableKeys.Counter(period, reservation.GetString("User")), 0, -tokens);
    }

    private static void AddDelta(Dictionary<string, (long Used, long Reserved)> deltas, string rowKey, long used, long reserved)
    {
        var current = deltas.GetValueOrDefault(rowKey);
        deltas[rowKey] = (current.Used + used, current.Reserved + reserved);
    }

    /// <summary>Reads each counter named in <paramref name="deltas"/> and adds its ETag-conditional write.</summary>
    private async Task AddCounterWritesAsync(string partition, Dictionary<string, (long Used, long Reserved)> deltas, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var (rowKey, (used, reserved)) in deltas)
        {
            var row = await GetAsync(partition, rowKey, cancellationToken).ConfigureAwait(false);
            actions.Add(Write(row, CounterRow(partition, rowKey, row, used, reserved)));
        }
    }

    private static TableEntity CounterRow(string partition, string rowKey, TableEntity? current, long addUsed, long addReserved) => new(partition, rowKey)
    {
        ["Used"] = Long(current, "Used") + addUsed,
        // Never below zero: a reservation is settled once (its row is deleted in the same transaction).
        ["Reserved"] = Math.Max(0, Long(current, "Reserved") + addReserved),
    };
}
