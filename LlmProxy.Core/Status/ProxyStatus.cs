namespace LlmProxy.Core.Status;

/// <summary>
/// What <c>GET /api/llm-proxy/status</c> tells a caller without the admin key: <c>ok</c>, or <c>degraded</c> when the
/// store or the queue does not answer.
/// </summary>
public sealed record ProxyLiveness(string Status);

/// <summary>The answer of <c>GET /api/llm-proxy/status</c> to the operator (admin key or dashboard session).</summary>
public sealed record ProxyStatus
{
    public required string Status { get; init; }
    public required string Version { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public long UptimeSeconds { get; init; }
    public required string Host { get; init; }
    public bool MockStandsInForUnconfiguredProviders { get; init; }
    public required IReadOnlyList<ProviderState> Providers { get; init; }
    public required ComponentState Store { get; init; }
    public required ComponentState Queue { get; init; }
    public required OutboxState Outbox { get; init; }
    /// <summary>Response-cache hits over lookups on this instance since it started; null before the first lookup.</summary>
    public double? CacheHitRatio { get; init; }
}

/// <param name="Circuit">closed, open, halfopen or isolated.</param>
/// <param name="RecentCalls">Vendor attempts in the last five minutes.</param>
/// <param name="RecentErrorRate">Share of those that failed at the vendor; null without calls.</param>
public sealed record ProviderState(string Name, bool Configured, string Circuit, int RecentCalls, double? RecentErrorRate);

public sealed record ComponentState(string Kind, bool Reachable);

/// <summary>Usage events of answered calls that wait in this instance's outbox to be recorded or queued.</summary>
/// <param name="Events">How many wait.</param>
/// <param name="OldestAgeSeconds">How long the oldest has waited; null when none waits.</param>
/// <param name="FailingSeconds">How long delivery out of the outbox has been failing; null while it succeeds.</param>
/// <param name="Admitting">False while new calls are refused (503 <c>metering_unavailable</c>): the outbox is full, or delivery failed too long.</param>
public sealed record OutboxState(long Events, double? OldestAgeSeconds, double? FailingSeconds, bool Admitting);
