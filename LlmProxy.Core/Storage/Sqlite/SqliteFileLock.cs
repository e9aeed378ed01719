namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>
/// Makes this process the only one serving a database file: admission state lives in the owner's memory
/// (<see cref="AdmissionLedger"/>), so a second process on the same file would admit against figures it cannot see.
/// </summary>
internal sealed class SqliteFileLock : IDisposable
{
    private readonly FileStream _lock;

    private SqliteFileLock(FileStream lockFile) => _lock = lockFile;

    /// <param name="conflict">The error when another process holds the file; by default, the store's.</param>
    public static SqliteFileLock Acquire(string databasePath, string? conflict = null)
    {
        var path = databasePath + ".lock";
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix) that the OS drops when the process ends.
            return new SqliteFileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(conflict ??
                $"Another process is serving the database '{databasePath}' (it holds '{path}'). One process per SQLite file: " +
                "give each instance its own LlmProxy:Store:SqlitePath, or use LlmProxy:Store:Kind=Tables to share state between instances.", e);
        }
    }

    public void Dispose() => _lock.Dispose();
}
