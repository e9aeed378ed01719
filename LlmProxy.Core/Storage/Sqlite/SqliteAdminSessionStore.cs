using LlmProxy.Core.Admin;
using Microsoft.Data.Sqlite;

namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>Dashboard sign-outs in the main database: <c>admin_signed_out</c> and the one-row <c>admin_session_cutoff</c>.</summary>
public sealed class SqliteAdminSessionStore(SqliteConnectionFactory connections) : IAdminSessionStore
{
    public async Task<SessionRevocations> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var signedOut = new HashSet<string>(StringComparer.Ordinal);
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT session_id FROM admin_signed_out WHERE expires_ms > $now;";
            query.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await using var rows = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false)) signedOut.Add(rows.GetString(0));
        }
        await using var cutoff = connection.CreateCommand();
        cutoff.CommandText = "SELECT issued_before_ms FROM admin_session_cutoff WHERE id = 1;";
        var issuedBefore = await cutoff.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        return new SessionRevocations(signedOut, issuedBefore);
    }

    public async Task SignOutAsync(string sessionId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        // Expired sign-outs go as new ones come, so the table holds at most the sessions of one session lifetime.
        await using (var prune = write.Command("DELETE FROM admin_signed_out WHERE expires_ms <= $now;"))
        {
            prune.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var insert = write.Command("INSERT OR REPLACE INTO admin_signed_out (session_id, expires_ms) VALUES ($id, $expires);"))
        {
            insert.Parameters.AddWithValue("$id", sessionId);
            insert.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SignOutEverywhereAsync(DateTimeOffset issuedBefore, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var upsert = write.Command("""
            INSERT INTO admin_session_cutoff (id, issued_before_ms) VALUES (1, $at)
            ON CONFLICT (id) DO UPDATE SET issued_before_ms = MAX(issued_before_ms, excluded.issued_before_ms);
            """);
        upsert.Parameters.AddWithValue("$at", issuedBefore.ToUnixTimeMilliseconds());
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
