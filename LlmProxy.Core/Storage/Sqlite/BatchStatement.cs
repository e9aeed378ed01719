using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>
/// One statement run for every item of a batch with new values: SQLite parses and plans it once per batch, not once
/// per item, and the command and its parameters are allocated once.
/// </summary>
internal sealed class BatchStatement : IAsyncDisposable
{
    private readonly SqliteCommand _command;

    public BatchStatement(SqliteWrite write, string sql, params string[] parameters)
    {
        _command = write.Command(sql);
        foreach (var name in parameters) _command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
    }

    /// <param name="values">In the order of the parameter names; null is stored as NULL.</param>
    /// <returns>Rows changed.</returns>
    public Task<int> RunAsync(object?[] values, CancellationToken cancellationToken)
    {
        for (var i = 0; i < values.Length; i++) _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return _command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
