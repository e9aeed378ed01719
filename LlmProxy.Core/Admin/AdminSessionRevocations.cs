namespace LlmProxy.Core.Admin;

/// <summary>
/// Which dashboard sessions were ended early, as this instance knows it. The store is read at most once per
/// <see cref="RefreshInterval"/>, on the first admin request after it passed, so a sign-out taken on one instance
/// is refused by every other within that interval, and on the instance that took it at once.
/// </summary>
public sealed class AdminSessionRevocations(IAdminSessionStore store, TimeProvider clock)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private Snapshot? _snapshot;
    // Bumped by every sign-out taken here, so that a read which began before it is not taken for a fresh one.
    private long _changes;

    public async Task<bool> RevokesAsync(AdminSession session, CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken).ConfigureAwait(false)).Revokes(session);

    public async Task SignOutAsync(AdminSession session, CancellationToken cancellationToken)
    {
        await store.SignOutAsync(session.Id, session.ExpiresAt, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
    }

    public async Task SignOutEverywhereAsync(CancellationToken cancellationToken)
    {
        // To the millisecond, as session times are kept: every session signed in up to this instant is ended.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
        await store.SignOutEverywhereAsync(now, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _changes);
    }

    private async Task<SessionRevocations> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } known) return known;
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } justRead) return justRead;
            var changes = Interlocked.Read(ref _changes);
            var now = clock.GetUtcNow();
            var read = await store.ReadAsync(now, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _snapshot, new Snapshot(read, now, changes));
            return read;
        }
        finally
        {
            _reading.Release();
        }
    }

    private SessionRevocations? Fresh() =>
        Volatile.Read(ref _snapshot) is { } snapshot && snapshot.Changes == Interlocked.Read(ref _changes)
        && clock.GetUtcNow() - snapshot.ReadAt < RefreshInterval ? snapshot.Known : null;

    private sealed record Snapshot(SessionRevocations Known, DateTimeOffset ReadAt, long Changes);
}
