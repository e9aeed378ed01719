using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Usage;

/// <summary>
/// Delivers the outbox's events to the usage queue (in-process: records them) and removes each once delivered. A pass
/// offers every waiting event once, oldest first; when some could not be delivered the next pass waits a backoff that
/// doubles up to <see cref="MaxBackoff"/>. At start-up it opens the outbox, so events a previous process left are
/// delivered first; at shutdown it makes one last pass, and what is still undelivered waits in the file for the next start.
/// </summary>
internal sealed partial class UsageOutboxRelay(UsageOutbox outbox, IUsageQueue queue, TimeProvider clock, ILogger<UsageOutboxRelay> log) : BackgroundService
{
    // Events per delivery: in-process one store transaction, for the Storage queue this many sends at once.
    private const int MaxBatch = 256;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A file that cannot be opened stops the host here, loudly, rather than leave every event in memory.
        await outbox.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (outbox.Backlog() is { Events: > 0 } left) Log.LeftByEarlierProcess(log, left.Events, outbox.Path);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await outbox.WhenNotEmptyAsync(stoppingToken).ConfigureAwait(false);
                if (await PassAsync().ConfigureAwait(false))
                {
                    if (failures > 0) Log.Recovered(log, failures);
                    failures = 0;
                    continue;
                }
                await Task.Delay(Backoff(++failures), clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!outbox.IsEmpty) await PassAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Offers every waiting event once; true when all were delivered.</summary>
    private async Task<bool> PassAsync()
    {
        var undelivered = 0;
        Exception? error = null;
        try
        {
            var unsaved = outbox.TakeUnsaved();
            if (unsaved.Count > 0)
            {
                var left = await DeliverAsync(unsaved).ConfigureAwait(false);
                outbox.Requeue(left.Entries);
                (undelivered, error) = (left.Entries.Count, left.Error);
            }
            for (long after = 0; ;)
            {
                var batch = await outbox.ReadAsync(after, MaxBatch, CancellationToken.None).ConfigureAwait(false);
                if (batch.Count == 0) break;
                var left = await DeliverAsync(batch).ConfigureAwait(false);
                undelivered += left.Entries.Count;
                error ??= left.Error;
                after = batch[^1].Seq;
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or FormatException)
        {
            // The outbox file itself failed: what was not removed stays and is offered again.
            undelivered++;
            error ??= e;
        }

        if (undelivered == 0)
        {
            outbox.DeliverySucceeded();
            return true;
        }
        outbox.DeliveryFailed();
        Log.NotDelivered(log, error, undelivered, queue.Kind, outbox.Backlog().Events);
        return false;
    }

    /// <summary>Delivers a batch and removes what went through; returns the entries that did not.</summary>
    private async Task<(IReadOnlyList<OutboxEntry> Entries, Exception? Error)> DeliverAsync(IReadOnlyList<OutboxEntry> batch)
    {
        var result = await queue.DeliverAsync(batch.Select(e => e.Usage).ToList(), CancellationToken.None).ConfigureAwait(false);
        var failed = result.Events.ToHashSet(ReferenceEqualityComparer.Instance);
        var delivered = batch.Where(e => !failed.Contains(e.Usage)).ToList();
        if (delivered.Count > 0) await outbox.RemoveAsync(delivered).ConfigureAwait(false);
        return (batch.Where(e => failed.Contains(e.Usage)).ToList(), result.Error);
    }

    private static TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16)));
        // Jitter: instances that lost the queue together do not all come back at the same instant.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Count} usage events found in the outbox {Path}, left by an earlier process; delivering them")]
        public static partial void LeftByEarlierProcess(ILogger logger, long count, string path);

        [LoggerMessage(2, LogLevel.Error, "{Count} usage events could not be delivered to the {Queue} queue ({Backlog} waiting in the outbox); retrying")]
        public static partial void NotDelivered(ILogger logger, Exception? error, int count, string queue, long backlog);

        [LoggerMessage(3, LogLevel.Information, "Usage outbox delivering again after {Failures} failed passes")]
        public static partial void Recovered(ILogger logger, int failures);
    }
}
