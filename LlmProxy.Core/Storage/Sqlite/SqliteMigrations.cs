namespace LlmProxy.Core.Storage.Sqlite;

/// <summary>Schema versions in order. Append only: a shipped migration never changes.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<string> All =
    [
        // 1: usage log, period counters, limit overrides.
        """
        CREATE TABLE usage_events (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            estimated INTEGER NOT NULL,
            latency_ms INTEGER NOT NULL,
            status TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            cached INTEGER NOT NULL,
            stream INTEGER NOT NULL,
            error TEXT NULL,
            timestamp_ms INTEGER NOT NULL
        );
        CREATE INDEX ix_usage_events_tenant_time ON usage_events (tenant_id, timestamp_ms);
        CREATE INDEX ix_usage_events_time ON usage_events (timestamp_ms);
        CREATE TABLE quota_counters (
            scope TEXT NOT NULL,
            period_start TEXT NOT NULL,
            used_tokens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, period_start)
        ) WITHOUT ROWID;
        CREATE TABLE quota_overrides (
            scope TEXT PRIMARY KEY,
            token_limit INTEGER NULL,
            requests_per_minute INTEGER NULL,
            updated_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,

        // 2 (vendors): what each call cost, from the model catalog's prices; NULL when the model's price is unknown.
        """
        ALTER TABLE usage_events ADD COLUMN cost_usd REAL NULL;
        """,
    ];
}
