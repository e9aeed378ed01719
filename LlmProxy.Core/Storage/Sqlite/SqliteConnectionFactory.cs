using LlmProxy.Core.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>Opens pooled connections to a database file: the configured store, or another file of the process (the usage outbox).</summary>
public sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;

    public SqliteConnectionFactory(IOptions<StoreOptions> options) : this(options.Value.SqlitePath)
    {
    }

    internal SqliteConnectionFactory(string path)
    {
        DatabasePath = Path.GetFullPath(path);
        _connectionString = ConnectionStringFor(DatabasePath);
    }

    /// <summary>The connection string (and so the connection pool) of a database file.</summary>
    public static string ConnectionStringFor(string fullPath) => new SqliteConnectionStringBuilder
    {
        DataSource = fullPath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // Writers wait for each other instead of failing with SQLITE_BUSY.
        DefaultTimeout = 30,
    }.ToString();

    public string DatabasePath { get; }

    // One writer at a time, awaited: SQLite has one write lock per file, and a writer that finds it taken is retried by
    // Microsoft.Data.Sqlite after sleeping on its thread. Under load that held thread-pool threads for a hundred
    // milliseconds or more whenever the usage recorder and the request-log writer met (bench/FINDINGS.md).
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

    /// <summary>A connection in a write transaction once this process's earlier writes are done; see <see cref="SqliteWrite"/>.</summary>
    public async Task<SqliteWrite> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return new SqliteWrite(connection, _writeTurn);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            _writeTurn.Release();
            throw;
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // In WAL mode NORMAL syncs at checkpoints instead of on every commit: a commit survives a crash of the
        // process and the file never corrupts; only an OS crash or power loss can take back the last commits.
        // FULL (the default) cost an fsync per call's reservation, rate window, usage and log writes.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return connection;
    }
}
