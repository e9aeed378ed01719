namespace LlmProxy.Core.Usage;

/// <summary>
/// The standalone host's default queue: <see cref="UsageOutboxRelay"/> hands the outbox's events straight to the
/// recorder, many per transaction. The outbox file is what makes them survive a crash, so calls never wait for the store.
/// </summary>
internal sealed class InProcessUsageQueue(UsageRecorder recorder) : IUsageQueue
{
    public string Kind => "in-process";

    public bool TakesEventsDirectly => false;

    public async Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await recorder.RecordManyAsync(events, cancellationToken).ConfigureAwait(false);
            return Undelivered.None;
        }
        catch (Exception) when (events.Count > 1)
        {
            // One by one, so an event the store refuses costs only itself.
            List<UsageEvent> failed = [];
            Exception? first = null;
            foreach (var usage in events)
            {
                try
                {
                    await recorder.RecordAsync(usage, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    first ??= e;
                    failed.Add(usage);
                }
            }
            return failed.Count == 0 ? Undelivered.None : new Undelivered(failed, first);
        }
        catch (Exception e)
        {
            return new Undelivered(events, e);
        }
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
