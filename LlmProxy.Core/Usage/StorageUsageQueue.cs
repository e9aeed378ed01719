using Azure.Storage.Queues;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Publishes usage events to the Azure Storage queue read by the RecordUsage function. Messages are base64,
/// which is what the Functions queue trigger expects by default (host.json keeps <c>messageEncoding: base64</c>).
/// </summary>
public sealed class StorageUsageQueue : IUsageQueue
{
    private readonly QueueClient _queue;
    private readonly Lazy<Task> _created;

    public StorageUsageQueue(AzureStorageClients clients, IOptions<UsageQueueOptions> options)
    {
        _queue = clients.Queue(options.Value.Connection, options.Value.QueueName);
        _created = new Lazy<Task>(() => _queue.CreateIfNotExistsAsync());
    }

    public string Kind => "storage-queue";

    public async ValueTask PublishAsync(UsageEvent usage, CancellationToken cancellationToken)
    {
        await _created.Value.ConfigureAwait(false);
        // Not the caller's token: a usage event must be queued even when the caller has gone away.
        await _queue.SendMessageAsync(UsageEventSerializer.Serialize(usage), CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            return false;
        }
    }
}
