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
        // 2: quota reservations (reserve-then-reconcile) and per-minute request windows.
        """
        CREATE TABLE quota_reservations (
            id TEXT NOT NULL,
            scope TEXT NOT NULL,
            period_start TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (id, scope)
        ) WITHOUT ROWID;
        CREATE INDEX ix_quota_reservations_scope ON quota_reservations (scope, period_start, expires_ms);
        CREATE TABLE rate_windows (
            scope TEXT NOT NULL,
            window_start_ms INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            PRIMARY KEY (scope, window_start_ms)
        ) WITHOUT ROWID;
        """,
    ];
}
