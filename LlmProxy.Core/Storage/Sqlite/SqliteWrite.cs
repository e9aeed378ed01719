using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>
/// This process's turn to write the file: a connection in a <c>BEGIN IMMEDIATE</c> transaction, taken after the
/// turns before it have ended. Disposing rolls back what was not committed and passes the turn on.
/// </summary>
public sealed class SqliteWrite : IAsyncDisposable
{
    private readonly SemaphoreSlim _turn;

    internal SqliteWrite(SqliteConnection connection, SemaphoreSlim turn)
    {
        Connection = connection;
        Transaction = connection.BeginTransaction(deferred: false);
        _turn = turn;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    public SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }
}
