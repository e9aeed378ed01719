using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Admin;

/// <summary>
/// Wrong admin keys per client address. The first few cost nothing; after that each one makes the address wait before
/// its next attempt is checked (2 s, doubling), and at <see cref="LockoutFailures"/> the address is locked out for
/// <see cref="Lockout"/>. An attempt made while the address waits is refused unchecked and counted like a wrong one,
/// whatever key it carries (counting only the wrong ones would tell a guesser which guess was right), so hammering
/// ends in the lockout. A right key, checked, clears the address. Each attempt is judged and counted in one step, so
/// parallel guesses are throttled like a sequence.
/// </summary>
/// <remarks>
/// The table is bounded (<see cref="MaxAddresses"/>): an address is forgotten <see cref="Lockout"/> after its last
/// failure, and when the table is full the longest-quiet quarter goes. An attacker spread over more addresses than that
/// gets its oldest forgotten, each still held to the per-address pace. The admin key's 32 characters or more (checked
/// at start-up) are what make guessing hopeless; this makes it slow and visible in the log.
/// </remarks>
public sealed partial class AdminSignInThrottle(TimeProvider clock, ILogger<AdminSignInThrottle> log)
{
    public const int FreeFailures = 4;
    public const int LockoutFailures = 10;
    public const int MaxAddresses = 10_000;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Failures> _addresses = new(StringComparer.Ordinal);

    /// <summary>
    /// Records an attempt from <paramref name="address"/> whose key was <paramref name="right"/> or not. Returns how long
    /// the address must still wait when the attempt does not count (it must then be refused, right key or not).
    /// </summary>
    public TimeSpan? Record(string address, bool right)
    {
        var now = clock.GetUtcNow();
        int failures;
        TimeSpan? wait;
        lock (_gate)
        {
            if (_addresses.TryGetValue(address, out var entry) && now - entry.Last >= Lockout)
            {
                _addresses.Remove(address);
                entry = null;
            }
            var waiting = entry is not null && entry.NotBefore > now;
            if (right && !waiting)
            {
                _addresses.Remove(address);
                return null;
            }
            if (entry is null)
            {
                if (_addresses.Count >= MaxAddresses) Forget(now);
                _addresses[address] = entry = new Failures();
            }
            failures = ++entry.Count;
            entry.Last = now;
            var notBefore = now + WaitAfter(failures);
            if (notBefore > entry.NotBefore) entry.NotBefore = notBefore;
            wait = waiting ? entry.NotBefore - now : null;
        }
        // One line per failure up to the lockout, then quiet: a flood must not flood the log too.
        if (failures < LockoutFailures) LogFailed(log, address, failures);
        else if (failures == LockoutFailures) LogLockedOut(log, address, (int)Lockout.TotalMinutes);
        return wait;
    }

    /// <summary>How long the address must wait before its next attempt is checked.</summary>
    internal TimeSpan WaitFor(string address)
    {
        var now = clock.GetUtcNow();
        lock (_gate) return _addresses.TryGetValue(address, out var entry) && entry.NotBefore > now && now - entry.Last < Lockout ? entry.NotBefore - now : TimeSpan.Zero;
    }

    /// <summary>Addresses tracked now.</summary>
    internal int Count
    {
        get { lock (_gate) return _addresses.Count; }
    }

    private static TimeSpan WaitAfter(int failures) =>
        failures >= LockoutFailures ? Lockout
        : failures <= FreeFailures ? TimeSpan.Zero
        : TimeSpan.FromSeconds(1 << (failures - FreeFailures));

    /// <summary>Drops what has expired, then, if still full, the longest-quiet quarter.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (address, entry) in _addresses)
            if (now - entry.Last >= Lockout) _addresses.Remove(address);
        if (_addresses.Count < MaxAddresses) return;
        foreach (var address in _addresses.OrderBy(a => a.Value.Last).Take(MaxAddresses / 4).Select(a => a.Key).ToList())
            _addresses.Remove(address);
    }

    private sealed class Failures
    {
        public int Count;
        public DateTimeOffset Last;
        public DateTimeOffset NotBefore;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Wrong admin key from {Address} ({Failures} in a row)")]
    private static partial void LogFailed(ILogger logger, string address, int failures);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Admin sign-ins from {Address} locked out for {Minutes} min")]
    private static partial void LogLockedOut(ILogger logger, string address, int minutes);
}
