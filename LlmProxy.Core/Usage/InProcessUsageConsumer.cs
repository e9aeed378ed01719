using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Standalone host only: records events from <see cref="ChannelUsageQueue"/>. On shutdown it stops taking new
/// events and records every one already queued before the host exits.
/// </summary>
public sealed class InProcessUsageConsumer(ChannelUsageQueue queue, UsageRecorder recorder, ILogger<InProcessUsageConsumer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: the loop ends when the channel is completed and empty, which is what drains it.
        await foreach (var usage in queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await recorder.RecordAsync(usage, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.LogError(e, "Could not record usage event {UsageId}", usage.Id);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
