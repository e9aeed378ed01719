using System.Collections.Concurrent;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Usage events of answered calls that the usage queue could not take (the Storage queue failed, or in-process the
/// store), in a SQLite file of this process's own. An added event survives a kill of the process (WAL with
/// <c>synchronous = NORMAL</c>; not an OS crash or power loss); <see cref="UsageOutboxRelay"/> delivers and removes it,
/// and at start-up delivers what a previous process left. Concurrent adds share one commit. The backlog bounds
/// admission: when the outbox is full, or delivery has failed for too long, new calls are refused rather than served
/// unmetered.
/// </summary>
public sealed partial class UsageOutbox : IDisposable
{
    // Adds written in one transaction at most; a burst larger than this takes a few commits.
    private const int MaxAddBatch = 256;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    private readonly IOptions<UsageOutboxOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<UsageOutbox> _log;
    private readonly SqliteConnectionFactory _file;
    private readonly GroupCommit<UsageEvent> _adds;
    private readonly SemaphoreSlim _openTurn = new(1, 1);
    // Events the file refused (disk full, I/O error): delivered from memory, lost if the process dies first.
    private readonly ConcurrentQueue<OutboxEntry> _unsaved = new();
    private readonly Lock _figures = new();
    private SqliteFileLock? _lock;
    private volatile bool _open;
    private long _count;
    private long _oldestFileMs;
    private DateTimeOffset? _failingSince;
    private TaskCompletionSource _added = NewSignal();

    public UsageOutbox(IOptions<UsageOutboxOptions> options, IOptions<StoreOptions> storeOptions, HostInfo host, TimeProvider clock, ILogger<UsageOutbox> log)
    {
        _options = options;
        _clock = clock;
        _log = log;
        _file = new SqliteConnectionFactory(PathFor(options.Value, storeOptions.Value, host.Kind));
        _adds = new GroupCommit<UsageEvent>(WriteAsync, MaxAddBatch);
    }

    internal string Path => _file.DatabasePath;

    /// <summary>Nothing waits: a call may hand its event to a queue that takes events directly.</summary>
    internal bool IsEmpty => Interlocked.Read(ref _count) == 0;

    /// <summary>Where the outbox lives: the setting, or beside the SQLite store (standalone), or the instance's temp folder (Functions).</summary>
    internal static string PathFor(UsageOutboxOptions options, StoreOptions store, HostKind host) =>
        !string.IsNullOrWhiteSpace(options.Path) ? options.Path
        : host == HostKind.Functions ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmproxy", "usage-outbox.db")
        : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(store.SqlitePath)) ?? ".", "usage-outbox.db");

    /// <summary>Creates the file (or opens what a previous process left). Retried by the next caller when it fails.</summary>
    internal async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_open) return;
        await _openTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open) return;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            _lock ??= SqliteFileLock.Acquire(Path,
                $"Another process uses the usage outbox '{Path}'. One process per outbox: give each its own LlmProxy:UsageOutbox:Path.");
            await using var connection = await _file.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var create = connection.CreateCommand())
            {
                create.CommandText = """
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE IF NOT EXISTS usage_outbox (
                        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, added_ms INTEGER NOT NULL, event TEXT NOT NULL);
                    """;
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), (SELECT added_ms FROM usage_outbox ORDER BY seq LIMIT 1) FROM usage_outbox;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_figures)
            {
                _count = reader.GetInt64(0);
                _oldestFileMs = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            }
            _open = true;
        }
        finally
        {
            _openTurn.Release();
        }
    }

    /// <summary>
    /// Adds an event; it is in the file once this returns. Never throws: the call it belongs to has been answered. If the
    /// file cannot take it, the event is held in memory and delivered from there (and logged as at risk).
    /// </summary>
    internal async Task AddAsync(UsageEvent usage)
    {
        // Concurrent adds share one transaction.
        await _adds.WriteAsync([usage]).ConfigureAwait(false);
        Volatile.Read(ref _added).TrySetResult();
    }

    private async Task WriteAsync(IReadOnlyList<UsageEvent> batch)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var write = await _file.BeginWriteAsync(CancellationToken.None).ConfigureAwait(false);
            var inserted = 0;
            await using (var insert = new BatchStatement(write, "INSERT OR IGNORE INTO usage_outbox (id, added_ms, event) VALUES ($id, $added, $event);", "$id", "$added", "$event"))
            {
                foreach (var usage in batch)
                    inserted += await insert.RunAsync([usage.Id, now, UsageEventSerializer.Serialize(usage)], CancellationToken.None).ConfigureAwait(false);
            }
            await write.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_figures)
            {
                if (_oldestFileMs == 0 && inserted > 0) _oldestFileMs = now;
                _count += inserted;
            }
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.NotSaved(_log, e, batch.Count, Path);
            foreach (var usage in batch) _unsaved.Enqueue(new OutboxEntry(0, usage, now));
            lock (_figures) _count += batch.Count;
        }
    }

    /// <summary>Completes once the outbox holds an event.</summary>
    internal async Task WhenNotEmptyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _added);
            if (!IsEmpty) return;
            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.CompareExchange(ref _added, NewSignal(), signal);
        }
    }

    /// <summary>Events held in memory because the file refused them, all at once; <see cref="Requeue"/> gives back the undelivered.</summary>
    internal IReadOnlyList<OutboxEntry> TakeUnsaved()
    {
        var taken = new List<OutboxEntry>();
        while (_unsaved.TryDequeue(out var entry)) taken.Add(entry);
        return taken;
    }

    internal void Requeue(IEnumerable<OutboxEntry> unsaved)
    {
        foreach (var entry in unsaved) _unsaved.Enqueue(entry);
    }

    /// <summary>Up to <paramref name="max"/> events of the file after <paramref name="afterSeq"/>, oldest first.</summary>
    internal async Task<IReadOnlyList<OutboxEntry>> ReadAsync(long afterSeq, int max, CancellationToken cancellationToken)
    {
        await using var connection = await _file.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, event, added_ms FROM usage_outbox WHERE seq > $after ORDER BY seq LIMIT $max;";
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$max", max);
        var entries = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            entries.Add(new OutboxEntry(reader.GetInt64(0), UsageEventSerializer.Deserialize(reader.GetString(1)), reader.GetInt64(2)));
        return entries;
    }

    /// <summary>Removes delivered events: those of the file by their row, those held in memory by no longer holding them.</summary>
    internal async Task RemoveAsync(IReadOnlyList<OutboxEntry> delivered)
    {
        var fromMemory = delivered.Count(e => e.Seq == 0);
        var removed = 0;
        long oldest = 0;
        if (fromMemory < delivered.Count)
        {
            await using var write = await _file.BeginWriteAsync(CancellationToken.None).ConfigureAwait(false);
            await using (var delete = new BatchStatement(write, "DELETE FROM usage_outbox WHERE seq = $seq;", "$seq"))
            {
                foreach (var entry in delivered)
                    if (entry.Seq != 0) removed += await delete.RunAsync([entry.Seq], CancellationToken.None).ConfigureAwait(false);
            }
            await using (var first = write.Command("SELECT added_ms FROM usage_outbox ORDER BY seq LIMIT 1;"))
                oldest = await first.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false) is long ms ? ms : 0;
            await write.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            // Still in the write turn: an add that commits next sees these figures, not older ones.
            lock (_figures)
            {
                _count -= removed + fromMemory;
                _oldestFileMs = oldest;
            }
            return;
        }
        lock (_figures) _count -= fromMemory;
    }

    /// <summary>The relay's verdict after each pass: everything delivered, or some events still waiting.</summary>
    internal void DeliveryFailed()
    {
        lock (_figures) _failingSince ??= _clock.GetUtcNow();
    }

    internal void DeliverySucceeded()
    {
        lock (_figures) _failingSince = null;
    }

    internal OutboxBacklog Backlog()
    {
        var now = _clock.GetUtcNow();
        lock (_figures)
        {
            long oldest = _oldestFileMs;
            foreach (var entry in _unsaved)
                if (oldest == 0 || entry.AddedMs < oldest) oldest = entry.AddedMs;
            return new OutboxBacklog(_count,
                oldest == 0 ? null : now - DateTimeOffset.FromUnixTimeMilliseconds(oldest),
                _failingSince is { } since ? now - since : null);
        }
    }

    /// <summary>
    /// Refuses a new call (503 <c>metering_unavailable</c>) while the outbox is full or delivery out of it has failed
    /// for <c>MaxAgeSeconds</c>: the call could not be metered in time, and an admission then could outlive the
    /// reservations of the events still waiting.
    /// </summary>
    internal void EnsureAdmitting()
    {
        if (IsEmpty) return;
        var backlog = Backlog();
        if (!IsAdmitting(backlog))
            throw new ProxyException(503, ErrorTypes.MeteringUnavailable,
                "Usage cannot be recorded right now, so new calls are refused until it can. Try again shortly.", retryAfter: RetryAfter);
    }

    internal bool IsAdmitting(OutboxBacklog backlog) =>
        backlog.Events < _options.Value.MaxEvents && !(backlog.FailingFor >= TimeSpan.FromSeconds(_options.Value.MaxAgeSeconds));

    internal bool IsDegraded(OutboxBacklog backlog) =>
        !IsAdmitting(backlog) || backlog.FailingFor >= TimeSpan.FromSeconds(_options.Value.DegradedAfterSeconds);

    public void Dispose()
    {
        // Only this file's pool: its connections hold the file open.
        using (var connection = new SqliteConnection(SqliteConnectionFactory.ConnectionStringFor(Path))) SqliteConnection.ClearPool(connection);
        _lock?.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Critical, "Could not write {Count} usage events to the outbox {Path}; they are held in memory until delivered and are lost if the process dies first")]
        public static partial void NotSaved(ILogger logger, Exception error, int count, string path);
    }
}

/// <param name="Seq">The row in the outbox file; 0 for an event held in memory.</param>
/// <param name="AddedMs">When it was added (Unix milliseconds).</param>
internal sealed record OutboxEntry(long Seq, UsageEvent Usage, long AddedMs);

/// <param name="Events">Events waiting.</param>
/// <param name="OldestAge">How long the oldest has waited; null when none waits.</param>
/// <param name="FailingFor">How long delivery has been failing; null while it succeeds.</param>
internal sealed record OutboxBacklog(long Events, TimeSpan? OldestAge, TimeSpan? FailingFor);
