namespace LlmProxy.Core.Usage;

/// <summary>
/// Carries usage events to <see cref="UsageRecorder"/>: the Storage queue, or in-process the recorder itself. A call
/// hands its event here before its answer completes; what cannot be delivered waits in the <see cref="UsageOutbox"/>.
/// </summary>
public interface IUsageQueue
{
    /// <summary>A short name for status pages: <c>in-process</c> or <c>storage-queue</c>.</summary>
    string Kind { get; }

    /// <summary>Delivers events: each is durable (queued or recorded) once delivered. Never throws; says what it could not deliver.</summary>
    Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>The events a delivery could not make durable, with the first error; empty when all went through.</summary>
public sealed record Undelivered(IReadOnlyList<UsageEvent> Events, Exception? Error)
{
    public static Undelivered None { get; } = new([], null);
}
