using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Providers.Resilience;

/// <summary>Retry and circuit-breaker settings for every vendor (section <c>LlmProxy:Resilience</c>).</summary>
public sealed class VendorResilienceOptions
{
    public const string Section = "LlmProxy:Resilience";

    /// <summary>Retries after the first attempt, on 429 (short Retry-After only), 5xx, 529, timeouts and transport errors.</summary>
    [Range(0, 5)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff; later ones grow exponentially with jitter.</summary>
    [Range(0, 10_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    /// <summary>A 429 whose Retry-After is longer than this goes back to the caller instead of being waited out.</summary>
    [Range(0, 60)]
    public int MaxRetryAfterSeconds { get; set; } = 2;

    /// <summary>Connect timeout to the vendor's host.</summary>
    [Range(1, 120)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Failure ratio (0-1) within the sampling window that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the window before the ratio counts.</summary>
    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 10;

    [Range(1, 3600)]
    public int CircuitSamplingSeconds { get; set; } = 30;

    /// <summary>How long an open circuit refuses calls before letting one through to probe.</summary>
    [Range(1, 3600)]
    public int CircuitBreakSeconds { get; set; } = 30;
}
