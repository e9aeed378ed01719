using LlmProxy.Core.Configuration;
using LlmProxy.Core.Usage;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// Records usage events from the <c>usage-events</c> queue. A message that is not a usage event throws, so the
/// host retries it up to <c>maxDequeueCount</c> and then moves it to <c>usage-events-poison</c>.
/// </summary>
public sealed class RecordUsageFunction(UsageRecorder recorder)
{
    [Function("RecordUsage")]
    public Task Run([QueueTrigger(UsageQueueNames.Events, Connection = "AzureWebJobsStorage")] string message, CancellationToken cancellationToken) =>
        recorder.RecordAsync(UsageEventSerializer.Deserialize(message), cancellationToken);
}
