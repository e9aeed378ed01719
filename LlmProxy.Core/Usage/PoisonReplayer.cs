using LlmProxy.Core.Configuration;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>Moves messages from the poison queue back to the usage queue, for another try once the cause is fixed.</summary>
public sealed class PoisonReplayer(AzureStorageClients clients, IOptions<UsageQueueOptions> options, ILogger<PoisonReplayer> log)
{
    private const int BatchSize = 32;

    /// <returns>How many messages were moved.</returns>
    public async Task<int> ReplayAsync(int max, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var queue = clients.Queue(settings.Connection, settings.QueueName);
        var poison = clients.Queue(settings.Connection, settings.PoisonQueueName);
        if (!await poison.ExistsAsync(cancellationToken).ConfigureAwait(false)) return 0;
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        var moved = 0;
        while (moved < max)
        {
            var messages = (await poison.ReceiveMessagesAsync(Math.Min(BatchSize, max - moved), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Value;
            if (messages.Length == 0) break;
            foreach (var message in messages)
            {
                // Send first, then delete: a failure in between leaves a copy in both, and recording is idempotent.
                await queue.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                moved++;
            }
        }
        log.LogInformation("Replayed {Count} messages from {Poison} to {Queue}", moved, settings.PoisonQueueName, settings.QueueName);
        return moved;
    }
}
