using LlmProxy.Core.Quotas;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>
/// The embedded store's admission state, in memory: each scope's used tokens per period (loaded from the file once,
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

    /// <summary>Whether the used tokens of a scope in a period are in memory; if not, load them with <see cref="Load"/>.</summary>
    public bool IsLoaded(QuotaScope scope, QuotaPeriod period)
    {
        lock (_gate) return CounterOf(scope.Key, period.Key, create: false)?.Used is not null;
    }

    /// <summary>Sets the used tokens read from the file; the caller must hold off the recorder meanwhile.</summary>
    public void Load(QuotaScope scope, QuotaPeriod period, long used)
    {
        lock (_gate)
        {
            DropPeriodsBefore(period.Key);
            CounterOf(scope.Key, period.Key, create: true)!.Used ??= used;
        }
    }

    /// <summary>Adds recorded tokens to loaded counters (an unloaded one reads the file when first needed).</summary>
    public void AddUsed(QuotaScope scope, QuotaPeriod period, long tokens)
    {
        lock (_gate)
        {
            if (CounterOf(scope.Key, period.Key, create: false) is { Used: not null } counter) counter.Used += tokens;
        }
    }

    public QuotaCounter CounterFor(QuotaScope scope, QuotaPeriod period)
    {
        lock (_gate)
        {
            SweepExpired();
            var counter = CounterOf(scope.Key, period.Key, create: false);
            return new QuotaCounter(counter?.Used ?? 0, counter?.Reserved ?? 0);
        }
    }

    /// <summary>Checks each limited scope (whose counter must be loaded) and holds the tokens in both, or neither.</summary>
    public ReserveOutcome TryReserve(QuotaReservation reservation, long? tenantLimit, long? userLimit)
    {
        var user = QuotaScope.User(reservation.TenantId, reservation.UserId);
        var tenant = QuotaScope.Tenant(reservation.TenantId);
        var period = reservation.Period.Key;
        lock (_gate)
        {
            SweepExpired();
            foreach (var (scope, limit) in new[] { (user, userLimit), (tenant, tenantLimit) })
            {
                if (limit is not { } max) continue;
                var counter = CounterOf(scope.Key, period, create: false);
                var figures = new QuotaCounter(counter?.Used ?? throw new InvalidOperationException($"Counter of {scope.Key} not loaded."), counter.Reserved);
                if (figures.Used + figures.Reserved + reservation.Tokens > max) return ReserveOutcome.Refused(scope, figures);
            }

            var held = new Held(CounterOf(user.Key, period, create: true)!, CounterOf(tenant.Key, period, create: true)!, reservation.Tokens, reservation.ExpiresAt);
            held.User.Reserved += held.Tokens;
            held.Tenant.Reserved += held.Tokens;
            _reservations[reservation.Id] = held;
            if (held.ExpiresAt < _nextExpiry) _nextExpiry = held.ExpiresAt;
            return new ReserveOutcome(true, null, default);
        }
    }

    /// <summary>Raises a live reservation to <paramref name="tokens"/> if each limited scope has room for the difference.</summary>
    public ReserveOutcome TryGrow(QuotaReservation reservation, long tokens, long? tenantLimit, long? userLimit)
    {
        var user = QuotaScope.User(reservation.TenantId, reservation.UserId);
        var tenant = QuotaScope.Tenant(reservation.TenantId);
        lock (_gate)
        {
            SweepExpired();
            if (!_reservations.TryGetValue(reservation.Id, out var held))
                return ReserveOutcome.Refused(user, CounterFigures(user.Key, reservation.Period.Key));
            var extra = tokens - held.Tokens;
            foreach (var (scope, limit) in new[] { (user, userLimit), (tenant, tenantLimit) })
            {
                var figures = CounterFigures(scope.Key, reservation.Period.Key);
                if (limit is { } max && figures.Used + figures.Reserved + extra > max) return ReserveOutcome.Refused(scope, figures);
            }
            held.User.Reserved += extra;
            held.Tenant.Reserved += extra;
            _reservations[reservation.Id] = held with { Tokens = tokens };
            return new ReserveOutcome(true, null, default);
        }
    }

    private QuotaCounter CounterFigures(string scopeKey, string periodKey) =>
        CounterOf(scopeKey, periodKey, create: false) is { } counter ? new QuotaCounter(counter.Used ?? 0, counter.Reserved) : default;

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
            foreach (var scope in scopes.Where(s => s.Value.Reserved == 0).Select(s => s.Key).ToList()) scopes.Remove(scope);
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
        held.User.Reserved -= held.Tokens;
        held.Tenant.Reserved -= held.Tokens;
    }

    private sealed class Counter
    {
        public long? Used;
        public long Reserved;
    }

    private sealed record Held(Counter User, Counter Tenant, long Tokens, DateTimeOffset ExpiresAt);

    private readonly record struct RateWindow(DateTimeOffset Start, int Requests);
}
