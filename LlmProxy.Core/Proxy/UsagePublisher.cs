using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Publishes a call's one usage event, durably, before the caller has the complete answer: to the usage queue (the
/// Storage queue, or in-process the store itself), or, when that fails or earlier events still wait there, to the local
/// outbox. Nothing here fails a call whose vendor has answered, and the call's reservation stays held until the event
/// is recorded.
/// </summary>
public sealed partial class UsagePublisher(IUsageQueue queue, UsageOutbox outbox, RequestLogRecorder requestLog, ILogger<UsagePublisher> log)
{
    // Vendor error messages can be any length, and a Storage queue message holds at most 64 KiB.
    private const int MaxErrorChars = 2000;

    internal async Task PublishAsync(ICallAccounting accounting)
    {
        if (accounting.TakeEvent() is not { } usage) return;
        if (usage.Error is { Length: > MaxErrorChars } error)
            usage = usage with { Error = error[..(char.IsHighSurrogate(error[MaxErrorChars - 1]) ? MaxErrorChars - 1 : MaxErrorChars)] };
        await DeliverAsync(usage).ConfigureAwait(false);
        await requestLog.RecordAsync(accounting, usage).ConfigureAwait(false);
    }

    private async Task DeliverAsync(UsageEvent usage)
    {
        // While events wait in the outbox the queue has been failing: new ones join them rather than wait on it too.
        if (outbox.IsEmpty)
        {
            var undelivered = await queue.DeliverAsync([usage], CancellationToken.None).ConfigureAwait(false);
            if (undelivered.Events.Count == 0) return;
            Log.ToOutbox(log, undelivered.Error, usage.Id, queue.Kind);
        }
        await outbox.AddAsync(usage).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Usage event {UsageId} could not be sent to the {Queue} queue; it waits in the outbox")]
        public static partial void ToOutbox(ILogger logger, Exception? error, string usageId, string queue);
    }
}
