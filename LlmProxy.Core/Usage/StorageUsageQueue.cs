using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Publishes usage events to the Azure Storage queue read by the RecordUsage function. Messages are base64,
/// which is what the Functions queue trigger expects by default (host.json keeps <c>messageEncoding: base64</c>).
/// A send gets one short try: a call waits for it, and what fails goes to the outbox, whose relay keeps trying.
/// </summary>
public sealed class StorageUsageQueue(AzureStorageClients clients, IOptions<UsageQueueOptions> options) : IUsageQueue
{
    // A healthy send takes milliseconds; a queue that takes longer is treated as down and the event goes to the outbox.
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);
    // The outbox relay's batches: a queue takes thousands of messages a second, but a burst of hundreds of sends at once
    // would only time out against a slow endpoint and be sent again.
    private const int MaxParallelSends = 16;

    private readonly QueueClient _queue = clients.Queue(options.Value.Connection, options.Value.QueueName, o =>
    {
        o.Retry.MaxRetries = 0;
        o.Retry.NetworkTimeout = SendTimeout;
    });

    public string Kind => "storage-queue";

    public async Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        var errors = new Exception?[events.Count];
        await Parallel.ForAsync(0, events.Count, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSends },
            async (i, _) => errors[i] = await SendAsync(events[i]).ConfigureAwait(false)).ConfigureAwait(false);
        var failed = events.Where((_, i) => errors[i] is not null).ToList();
        return failed.Count == 0 ? Undelivered.None : new Undelivered(failed, errors.First(e => e is not null));
    }

    /// <returns>Null once the queue holds the event; the error otherwise.</returns>
    private async Task<Exception?> SendAsync(UsageEvent usage)
    {
        var message = UsageEventSerializer.Serialize(usage);
        try
        {
            try
            {
                // Not the caller's token: a usage event must be queued even when the caller has gone away.
                await _queue.SendMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
            {
                // Created when found missing, never remembered as failed: a queue that could not be created (or was
                // deleted) is created by a later send.
                await _queue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await _queue.SendMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }
}
