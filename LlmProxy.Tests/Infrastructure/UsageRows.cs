using Microsoft.Data.Sqlite;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>Reads the usage log straight from the SQLite file, the way an operator would check it.</summary>
public static class UsageRows
{
    public sealed record Row(string Id, string TenantId, string UserId, string Provider, string Model,
        int PromptTokens, int CompletionTokens, bool Estimated, string Status, int HttpStatus, bool Stream, double? CostUsd = null, bool Cached = false);

    public static async Task<IReadOnlyList<Row>> ReadAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, tenant_id, user_id, provider, model, prompt_tokens, completion_tokens, estimated, status, http_status, stream, cost_usd, cached
            FROM usage_events ORDER BY timestamp_ms, id
            """;
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetBoolean(7), reader.GetString(8), reader.GetInt32(9), reader.GetBoolean(10),
                reader.IsDBNull(11) ? null : reader.GetDouble(11), reader.GetBoolean(12)));
        return rows;
    }
}
