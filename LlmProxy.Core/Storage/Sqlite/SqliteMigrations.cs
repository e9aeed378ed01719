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
        // Tenant API keys, stored hashed.
        """
        CREATE TABLE api_keys (
            key_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_ms INTEGER NOT NULL,
            revoked_ms INTEGER NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);
        """,
        // Response cache.
        """
        CREATE TABLE response_cache (
            key TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            payload BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_response_cache_expires ON response_cache (expires_ms);
        """,
        // Request log.
        """
        CREATE TABLE request_log (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            stream INTEGER NOT NULL,
            cached INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            latency_ms INTEGER NOT NULL,
            ttft_ms INTEGER NULL,
            vendor_request_id TEXT NULL,
            error TEXT NULL,
            request_body TEXT NULL,
            response_body TEXT NULL,
            bodies_truncated INTEGER NOT NULL,
            timestamp_ms INTEGER NOT NULL
        );
        CREATE INDEX ix_request_log_time ON request_log (timestamp_ms);
        CREATE INDEX ix_request_log_tenant_time ON request_log (tenant_id, timestamp_ms);
        """,
        // What each call cost, from the model catalog's prices; NULL when the model's price is unknown.
        """
        ALTER TABLE usage_events ADD COLUMN cost_usd REAL NULL;
        """,
        // Quota reservations (reserve-then-reconcile) and per-minute request windows.
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
        // Audit trail of quota override changes.
        """
        CREATE TABLE quota_audit (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            user_id TEXT NULL,
            actor TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            old_token_limit INTEGER NULL,
            old_requests_per_minute INTEGER NULL,
            old_set INTEGER NOT NULL,
            new_token_limit INTEGER NULL,
            new_requests_per_minute INTEGER NULL,
            new_set INTEGER NOT NULL
        );
        CREATE INDEX ix_quota_audit_tenant_time ON quota_audit (tenant_id, at_ms);
        CREATE INDEX ix_quota_audit_time ON quota_audit (at_ms);
        """,
        // Reservations and request windows moved into the owning process's memory (AdmissionLedger).
        """
        DROP TABLE quota_reservations;
        DROP TABLE rate_windows;
        """,
        // Key kinds: a publishable key's policy as JSON; keys stored before are secret.
        """
        ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'secret';
        ALTER TABLE api_keys ADD COLUMN publishable_policy TEXT NULL;
        """,
        // Usage fidelity: the prompt-cache and reasoning parts of each event's tokens, priced apart.
        """
        ALTER TABLE usage_events ADD COLUMN cached_prompt_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_events ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_events ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
        """,
        // Money budgets: money used per scope and period, money limits and their audit, all in nano-dollars; the
        // publishable key whose budget an event counts against.
        """
        ALTER TABLE usage_events ADD COLUMN key_id TEXT NULL;
        ALTER TABLE quota_counters ADD COLUMN used_nanodollars INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE quota_overrides ADD COLUMN cost_limit_nanodollars INTEGER NULL;
        ALTER TABLE quota_audit ADD COLUMN old_cost_limit_nanodollars INTEGER NULL;
        ALTER TABLE quota_audit ADD COLUMN new_cost_limit_nanodollars INTEGER NULL;
        """,
        // The request log shows each call's cost and its prompt-cache and reasoning tokens.
        """
        ALTER TABLE request_log ADD COLUMN cached_prompt_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE request_log ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE request_log ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE request_log ADD COLUMN cost_usd REAL NULL;
        """,
        // Dashboard sessions ended before they expire: signed out one by one, or all issued before a cut-off.
        """
        CREATE TABLE admin_signed_out (session_id TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL);
        CREATE TABLE admin_session_cutoff (id INTEGER PRIMARY KEY CHECK (id = 1), issued_before_ms INTEGER NOT NULL);
        """,
        // Platform keys (their tenants as JSON; stored under the empty tenant id) and the key each logged call came with.
        """
        ALTER TABLE api_keys ADD COLUMN platform_policy TEXT NULL;
        ALTER TABLE request_log ADD COLUMN key_id TEXT NULL;
        """,
    ];
}
