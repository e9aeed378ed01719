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
/// Counters are kept for at most <see cref="MaxCounters"/> scopes (callers choose user ids, so there is no other
/// bound): past it the least recently used counters without a live reservation are forgotten, and a forgotten one is
/// read from the file again when next needed, so forgetting costs a read, never a wrong figure. Request windows hold
/// only the scopes counted in the current minute.
/// </remarks>
internal sealed class AdmissionLedger(TimeProvider clock, int maxCounters = AdmissionLedger.MaxCounters)
{
    public const int MaxCounters = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Counter>> _periods = new(StringComparer.Ordinal);
    private int _counters;
    private long _uses;
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
            MakeRoom();
            var counter = Use(CounterOf(scope.Key, period.Key, create: true)!);
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
            Use(counter).Used += tokens;
            counter.CostUsed += cost;
        }
    }

    /// <summary>The scope's figures; null when its used tokens are not in memory (never loaded, or forgotten since).</summary>
    public QuotaCounter? CounterFor(QuotaScope scope, QuotaPeriod period)
    {
        lock (_gate)
        {
            SweepExpired();
            return CounterOf(scope.Key, period.Key, create: false) is { Used: not null } counter ? counter.Figures : null;
        }
    }

    /// <summary>
    /// Checks each limited scope for tokens and money, and holds the reservation in the user, tenant and (when it names
    /// one) key counters, or in none. Null when a limited scope's figures are not in memory (forgotten since they were
    /// loaded): load them and ask again.
    /// </summary>
    public ReserveOutcome? TryReserve(QuotaReservation reservation, CallLimits limits)
    {
        var period = reservation.Period.Key;
        lock (_gate)
        {
            SweepExpired();
            MakeRoom();
            foreach (var (scope, limit) in limits.Limited(reservation.TenantId, reservation.UserId))
            {
                if (CounterOf(scope.Key, period, create: false) is not { Used: not null } counter) return null;
                if (!limit.Admits(Use(counter).Figures, reservation.Tokens, reservation.Cost)) return ReserveOutcome.Refused(scope, counter.Figures);
            }

            var scopes = new List<Counter>(3)
            {
                Use(CounterOf(QuotaScope.User(reservation.TenantId, reservation.UserId).Key, period, create: true)!),
                Use(CounterOf(QuotaScope.Tenant(reservation.TenantId).Key, period, create: true)!),
            };
            if (reservation.KeyId is { } keyId) scopes.Add(Use(CounterOf(QuotaScope.ApiKey(reservation.TenantId, keyId).Key, period, create: true)!));
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

    /// <summary>
    /// Raises a live reservation to <paramref name="tokens"/> and <paramref name="cost"/> if each limited scope has room
    /// for the difference; refused (by the user scope) when the reservation is no longer live.
    /// </summary>
    public ReserveOutcome TryGrow(QuotaReservation reservation, long tokens, long cost, CallLimits limits)
    {
        var period = reservation.Period.Key;
        lock (_gate)
        {
            SweepExpired();
            if (!_reservations.TryGetValue(reservation.Id, out var held))
            {
                var user = QuotaScope.User(reservation.TenantId, reservation.UserId);
                return ReserveOutcome.Refused(user, CounterOf(user.Key, period, create: false)?.Figures ?? default);
            }
            var (extraTokens, extraCost) = (Math.Max(0, tokens - held.Tokens), Math.Max(0, cost - held.Cost));
            // A held reservation keeps its scopes' counters in memory (MakeRoom forgets only idle ones).
            foreach (var (scope, limit) in limits.Limited(reservation.TenantId, reservation.UserId))
            {
                var figures = CounterOf(scope.Key, period, create: false)?.Figures ?? default;
                if (!limit.Admits(figures, extraTokens, extraCost)) return ReserveOutcome.Refused(scope, figures);
            }
            foreach (var counter in held.Scopes)
            {
                counter.Reserved += extraTokens;
                counter.CostReserved += extraCost;
            }
            _reservations[reservation.Id] = held with { Tokens = held.Tokens + extraTokens, Cost = held.Cost + extraCost };
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

    /// <summary>Counters held in memory, over all periods.</summary>
    public int Counters
    {
        get { lock (_gate) return _counters; }
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
        _counters++;
        return scopes[scopeKey] = new Counter();
    }

    private Counter Use(Counter counter)
    {
        counter.LastUse = ++_uses;
        return counter;
    }

    private static bool Idle(Counter counter) => counter.Reserved == 0 && counter.CostReserved == 0;

    /// <summary>
    /// At <see cref="MaxCounters"/>, forgets the least recently used quarter of the counters no live reservation holds.
    /// Called before an operation creates counters, never within one, so an operation never loses a counter it made.
    /// </summary>
    private void MakeRoom()
    {
        if (_counters < maxCounters) return;
        var idle = _periods.SelectMany(p => p.Value.Where(c => Idle(c.Value)).Select(c => (Period: p.Key, Scope: c.Key, c.Value.LastUse)))
            .OrderBy(c => c.LastUse).Take(maxCounters / 4).ToList();
        foreach (var (period, scope, _) in idle)
        {
            var scopes = _periods[period];
            scopes.Remove(scope);
            _counters--;
            if (scopes.Count == 0) _periods.Remove(period);
        }
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
            foreach (var scope in scopes.Where(s => Idle(s.Value)).Select(s => s.Key).ToList())
            {
                scopes.Remove(scope);
                _counters--;
            }
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
        public long LastUse;

        public QuotaCounter Figures => new(Used ?? 0, Reserved, CostUsed, CostReserved);
    }

    private sealed record Held(List<Counter> Scopes, long Tokens, long Cost, DateTimeOffset ExpiresAt);

    private readonly record struct RateWindow(DateTimeOffset Start, int Requests);
}
