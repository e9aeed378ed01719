namespace LlmProxy.Core.Status;

/// <summary>The answer of <c>GET /api/llm-proxy/status</c>.</summary>
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
}

public sealed record ProviderState(string Name, bool Configured);

public sealed record ComponentState(string Kind, bool Reachable);
