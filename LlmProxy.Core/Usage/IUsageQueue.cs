namespace LlmProxy.Core.Usage;

/// <summary>Carries usage events to <see cref="UsageRecorder"/>: the Storage queue, or in-process the recorder itself.</summary>
public interface IUsageQueue
{
    /// <summary>A short name for status pages: <c>in-process</c> or <c>storage-queue</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// True when a call hands its event to the queue itself and uses the outbox only when the queue fails (the Storage
    /// queue: an accepted message is durable beyond this instance). False when every event passes through the outbox
    /// (in-process: recording waits for the store's write turn, which no answer should wait for).
    /// </summary>
    bool TakesEventsDirectly { get; }

    /// <summary>Delivers events: each is durable (queued or recorded) once delivered. Never throws; says what it could not deliver.</summary>
    Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>The events a delivery could not make durable, with the first error; empty when all went through.</summary>
public sealed record Undelivered(IReadOnlyList<UsageEvent> Events, Exception? Error)
{
    public static Undelivered None { get; } = new([], null);
}
