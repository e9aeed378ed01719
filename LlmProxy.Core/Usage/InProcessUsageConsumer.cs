using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Standalone host only: records events from <see cref="ChannelUsageQueue"/>. On shutdown it stops taking new
/// events and records every one already queued before the host exits.
/// </summary>
public sealed class InProcessUsageConsumer(ChannelUsageQueue queue, UsageRecorder recorder, ILogger<InProcessUsageConsumer> log) : BackgroundService
{
    // Large enough that a burst commits in a few transactions, small enough that one batch holds the store briefly.
    private const int MaxBatch = 256;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        queue.Reader.DrainInBatchesAsync(MaxBatch,
            batch => recorder.RecordManyAsync(batch, CancellationToken.None),
            (e, usage) => log.LogError(e, "Could not record usage event {UsageId}", usage.Id));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
