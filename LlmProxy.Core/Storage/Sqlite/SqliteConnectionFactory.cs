using LlmProxy.Core.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>Opens pooled connections to the configured database file.</summary>
public sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;

    public SqliteConnectionFactory(IOptions<StoreOptions> options)
    {
        var path = Path.GetFullPath(options.Value.SqlitePath);
        DatabasePath = path;
        _connectionString = ConnectionStringFor(path);
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
