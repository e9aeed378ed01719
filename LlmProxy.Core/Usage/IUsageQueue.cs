namespace LlmProxy.Core.Usage;

/// <summary>Carries usage events from the front door to <see cref="UsageRecorder"/>.</summary>
public interface IUsageQueue
{
    /// <summary>A short name for status pages: <c>in-process</c> or <c>storage-queue</c>.</summary>
    string Kind { get; }

    ValueTask PublishAsync(UsageEvent usage, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
