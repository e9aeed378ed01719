using System.ComponentModel.DataAnnotations;

namespace LlmProxy.Core.Usage;

/// <summary>
/// The local outbox of usage events that are not yet recorded or queued (section <c>LlmProxy:UsageOutbox</c>); see
/// <see cref="UsageOutbox"/>.
/// </summary>
public sealed class UsageOutboxOptions
{
    public const string Section = "LlmProxy:UsageOutbox";

    /// <summary>
    /// The outbox's SQLite file. Empty: <c>usage-outbox.db</c> beside <c>LlmProxy:Store:SqlitePath</c> in the standalone
    /// host, <c>{temp}/llmproxy/usage-outbox.db</c> under the Functions host (an instance's local disk).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>At this many waiting events new calls are refused (503 <c>metering_unavailable</c>) until the outbox drains.</summary>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = 100_000;

    /// <summary>
    /// Once the oldest waiting event is this old, new calls are refused (503 <c>metering_unavailable</c>). Below
    /// <c>LlmProxy:Quota:ReservationTtlSeconds</c>, so no call is admitted while a waiting event's reservation could lapse.
    /// </summary>
    [Range(1, 7 * 24 * 3600)]
    public int MaxAgeSeconds { get; set; } = 600;

    /// <summary>The status answers <c>degraded</c> once the oldest waiting event is this old.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int DegradedAfterSeconds { get; set; } = 30;
}
