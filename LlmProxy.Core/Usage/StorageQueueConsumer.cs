using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Standalone host only: reads <c>usage-events</c> the way the Functions queue trigger does, so several hosts can
/// share one queue. A message that fails is made visible again after <c>VisibilityTimeoutSeconds</c>; once it has
/// been dequeued <c>MaxDequeueCount</c> times it moves to the poison queue. On shutdown it stops taking messages
/// and finishes the ones in hand; anything not deleted is delivered again (recording is idempotent).
/// </summary>
public sealed class StorageQueueConsumer(AzureStorageClients clients, UsageRecorder recorder, IOptions<UsageQueueOptions> options, ILogger<StorageQueueConsumer> log) : BackgroundService
{
    private const int BatchSize = 16;
    // Held invisible while being recorded; far longer than a recording takes.
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var queue = clients.Queue(settings.Connection, settings.QueueName);
        var poison = clients.Queue(settings.Connection, settings.PoisonQueueName);
        var created = false;

        var wait = MinPollingInterval;
        var maxWait = TimeSpan.FromMilliseconds(settings.MaxPollingIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                // Inside the loop: storage that is down at start-up must not stop the host, only delay recording.
                if (!created)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    created = true;
                }
                messages = (await queue.ReceiveMessagesAsync(BatchSize, ProcessingVisibility, stoppingToken).ConfigureAwait(false)).Value;
                if (messages.Length == 0)
                {
                    // Polling cadence, not a clock read: an empty queue is polled less and less often, like the trigger.
                    await Task.Delay(wait, stoppingToken).ConfigureAwait(false);
                    wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, maxWait.Ticks));
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
            {
                log.LogWarning(e, "Could not read the usage queue {Queue}; trying again", settings.QueueName);
                await Task.Delay(maxWait, stoppingToken).ConfigureAwait(false);
                continue;
            }
            wait = MinPollingInterval;
            // One at a time: a batch mostly belongs to a few tenants, whose counters share a partition, and parallel
            // writers there would only race for the same ETags. Messages in hand are finished even when the host
            // is stopping, so none waits out its visibility timeout.
            foreach (var message in messages)
                await HandleAsync(queue, poison, message, settings).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(QueueClient queue, QueueClient poison, QueueMessage message, UsageQueueOptions settings)
    {
        try
        {
            await recorder.RecordAsync(UsageEventSerializer.Deserialize(message.Body.ToString()), CancellationToken.None).ConfigureAwait(false);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
                    log.LogError(e, "Usage message {MessageId} failed {Count} times; moved to {Poison}", message.MessageId, message.DequeueCount, settings.PoisonQueueName);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(settings.VisibilityTimeoutSeconds), cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    log.LogWarning(e, "Usage message {MessageId} failed (delivery {Count} of {Max}); it will be retried", message.MessageId, message.DequeueCount, settings.MaxDequeueCount);
                }
            }
            catch (Azure.RequestFailedException queueError)
            {
                log.LogWarning(queueError, "Could not hand usage message {MessageId} back to the queue; it reappears when its visibility ends", message.MessageId);
            }
        }
    }
}
