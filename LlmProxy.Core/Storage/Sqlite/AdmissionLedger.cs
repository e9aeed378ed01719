using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>
/// The embedded store's admission state, in memory: each scope's used tokens and money per period (loaded from the file once,
/// then kept in step by the recorder), live reservations, and per-minute request windows. One lock makes every
/// check-and-take atomic, so admission costs no disk write.
/// </summary>
/// <remarks>
/// This is exact because one process owns the file (<see cref="SqliteFileLock"/>). Reservations and request windows
/// are not written to the file: a reservation lives only as long as its call, and its call dies with the process; a
/// restart forgets the current minute's request counts, so a scope may make up to one more minute's worth of requests.
/// </remarks>
internal sealed class AdmissionLedger(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Counter>> _periods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Held> _reservations = new(StringComparer.Ordinal);
    // The earliest expiry among live reservations, or later (a settled reservation does not move it): until then no
    // sweep is needed. Keeping only live reservations bounds memory by the calls in flight, not by calls per TTL.
    private DateTimeOffset _nextExpiry = DateTimeOffset.MaxValue;
    private readonly Dictionary<string, RateWindow> _windows = new(StringComparer.Ordinal);
    private DateTimeOffset _windowsPrunedFor;

    /// <summary>Whether the used tokens and money of a scope in a period are in memory; if not, load them with <see cref="Load"/>.</summary>
    public bool IsLoaded(QuotaScope scope, QuotaPeriod period)
    {
        lock (_gate) return CounterOf(scope.Key, period.Key, create: false)?.Used is not null;
    }

    /// <summary>Sets the used tokens and money read from the file; the caller must hold off the recorder meanwhile.</summary>
    public void Load(QuotaScope scope, QuotaPeriod period, long used, long costUsed)
    {
        lock (_gate)
        {
            DropPeriodsBefore(period.Key);
            var counter = CounterOf(scope.Key, period.Key, create: true)!;
            if (counter.Used is not null) return;
            counter.Used = used;
            counter.CostUsed = costUsed;
        }
    }

    /// <summary>Adds recorded tokens and money to a loaded counter (an unloaded one reads the file when first needed).</summary>
    public void AddUsed(QuotaScope scope, QuotaPeriod period, long tokens, long cost)
    {
        lock (_gate)
        {
            if (CounterOf(scope.Key, period.Key, create: false) is not { Used: not null } counter) return;
            counter.Used += tokens;
            counter.CostUsed += cost;
        }
    }

    public QuotaCounter CounterFor(QuotaScope scope, QuotaPeriod period)
    {
        lock (_gate)
        {
            SweepExpired();
            return CounterOf(scope.Key, period.Key, create: false)?.Figures ?? default;
        }
    }

    /// <summary>
    /// Checks each limited scope (whose counter must be loaded) for tokens and money, and holds the reservation in the
    /// user, tenant and (when it names one) key counters, or in none.
    /// </summary>
    public ReserveOutcome TryReserve(QuotaReservation reservation, CallLimits limits)
    {
        var period = reservation.Period.Key;
        lock (_gate)
        {
            SweepExpired();
            foreach (var (scope, limit) in limits.Limited(reservation.TenantId, reservation.UserId))
            {
                var counter = CounterOf(scope.Key, period, create: false);
                if (counter?.Used is null) throw new InvalidOperationException($"Counter of {scope.Key} not loaded.");
                if (!limit.Admits(counter.Figures, reservation.Tokens, reservation.Cost)) return ReserveOutcome.Refused(scope, counter.Figures);
            }

            var scopes = new List<Counter>(3)
            {
                CounterOf(QuotaScope.User(reservation.TenantId, reservation.UserId).Key, period, create: true)!,
                CounterOf(QuotaScope.Tenant(reservation.TenantId).Key, period, create: true)!,
            };
            if (reservation.KeyId is { } keyId) scopes.Add(CounterOf(QuotaScope.ApiKey(reservation.TenantId, keyId).Key, period, create: true)!);
            var held = new Held(scopes, reservation.Tokens, reservation.Cost, reservation.ExpiresAt);
            foreach (var counter in scopes)
            {
                counter.Reserved += held.Tokens;
                counter.CostReserved += held.Cost;
            }
            _reservations[reservation.Id] = held;
            if (held.ExpiresAt < _nextExpiry) _nextExpiry = held.ExpiresAt;
            return new ReserveOutcome(true, null, default);
        }
    }

    /// <summary>Stops holding a reservation's tokens (settled by its usage event, or released). Idempotent.</summary>
    public void Settle(string reservationId)
    {
        lock (_gate) Drop(reservationId);
    }

    /// <summary>Counts one request for each limited scope in the window, if neither is at its limit.</summary>
    public RateDecision TryAcquire(string tenantId, string userId, DateTimeOffset window, int? tenantLimit, int? userLimit)
    {
        var (tenant, user) = (QuotaScope.Tenant(tenantId), QuotaScope.User(tenantId, userId));
        lock (_gate)
        {
            PruneWindowsBefore(window);
            var counts = CountsOf(tenant.Key, user.Key, window);
            if (userLimit is { } u && counts.User >= u) return new RateDecision(false, user, counts);
            if (tenantLimit is { } t && counts.Tenant >= t) return new RateDecision(false, tenant, counts);
            if (tenantLimit is not null) Count(tenant.Key, window);
            if (userLimit is not null) Count(user.Key, window);
            return new RateDecision(true, null, CountsOf(tenant.Key, user.Key, window));
        }
    }

    public RateCounts CountsIn(string tenantId, string userId, DateTimeOffset window)
    {
        lock (_gate) return CountsOf(QuotaScope.Tenant(tenantId).Key, QuotaScope.User(tenantId, userId).Key, window);
    }

    /// <summary>Live reservations and requests counted in every window, for checks that nothing was admitted.</summary>
    public (int Reservations, long Requests) Totals()
    {
        lock (_gate) return (_reservations.Count, _windows.Values.Sum(w => (long)w.Requests));
    }

    private RateCounts CountsOf(string tenantKey, string userKey, DateTimeOffset window) =>
        new(RequestsIn(tenantKey, window), RequestsIn(userKey, window));

    private int RequestsIn(string scopeKey, DateTimeOffset window) =>
        _windows.TryGetValue(scopeKey, out var current) && current.Start == window ? current.Requests : 0;

    private void Count(string scopeKey, DateTimeOffset window) =>
        _windows[scopeKey] = new RateWindow(window, RequestsIn(scopeKey, window) + 1);

    /// <summary>
    /// Once per new window, drops every scope's ended window: the map holds the scopes active this minute, not every
    /// user and address ever seen.
    /// </summary>
    private void PruneWindowsBefore(DateTimeOffset window)
    {
        if (window <= _windowsPrunedFor) return;
        _windowsPrunedFor = window;
        foreach (var (scope, current) in _windows)
            if (current.Start < window) _windows.Remove(scope);
    }

    private Counter? CounterOf(string scopeKey, string periodKey, bool create)
    {
        if (!_periods.TryGetValue(periodKey, out var scopes))
        {
            if (!create) return null;
            _periods[periodKey] = scopes = new Dictionary<string, Counter>(StringComparer.Ordinal);
        }
        if (scopes.TryGetValue(scopeKey, out var counter) || !create) return counter;
        return scopes[scopeKey] = new Counter();
    }

    /// <summary>
    /// Counters of periods before the previous one are no longer read by admission; their unreserved ones can go. The
    /// previous period stays: a call that read the clock just before the boundary may still be reserving against it.
    /// </summary>
    private void DropPeriodsBefore(string periodKey)
    {
        var older = _periods.Keys.Where(k => string.CompareOrdinal(k, periodKey) < 0).Order(StringComparer.Ordinal).SkipLast(1).ToList();
        foreach (var old in older)
        {
            var scopes = _periods[old];
            foreach (var scope in scopes.Where(s => s.Value.Reserved == 0 && s.Value.CostReserved == 0).Select(s => s.Key).ToList()) scopes.Remove(scope);
            if (scopes.Count == 0) _periods.Remove(old);
        }
    }

    /// <summary>Drops expired reservations: a scan of the live ones, only once the earliest of them may have expired.</summary>
    private void SweepExpired()
    {
        var now = clock.GetUtcNow();
        if (now < _nextExpiry) return;
        _nextExpiry = DateTimeOffset.MaxValue;
        foreach (var (id, held) in _reservations)
        {
            if (held.ExpiresAt <= now) Drop(id);
            else if (held.ExpiresAt < _nextExpiry) _nextExpiry = held.ExpiresAt;
        }
    }

    private void Drop(string reservationId)
    {
        if (!_reservations.Remove(reservationId, out var held)) return;
        foreach (var counter in held.Scopes)
        {
            counter.Reserved -= held.Tokens;
            counter.CostReserved -= held.Cost;
        }
    }

    /// <summary>A scope's figures in one period; money in nano-dollars.</summary>
    private sealed class Counter
    {
        public long? Used;
        public long Reserved;
        public long CostUsed;
        public long CostReserved;

        public QuotaCounter Figures => new(Used ?? 0, Reserved, CostUsed, CostReserved);
    }

    private sealed record Held(List<Counter> Scopes, long Tokens, long Cost, DateTimeOffset ExpiresAt);

    private readonly record struct RateWindow(DateTimeOffset Start, int Requests);
}
