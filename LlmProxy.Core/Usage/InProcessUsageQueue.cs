namespace LlmProxy.Core.Usage;

/// <summary>
/// The standalone host's default queue: no queue at all, the events are recorded in the store at once. Calls that
/// finish together share one store transaction (group commit), so a call's answer waits for one commit (WAL, no fsync)
/// and a burst costs a few commits, not one per call. Once this returns the event is recorded: a kill of the process
/// cannot take it back.
/// </summary>
internal sealed class InProcessUsageQueue : IUsageQueue
{
    // Large enough that a burst commits in a few transactions, small enough that one holds the store's write turn briefly.
    private const int MaxBatch = 256;

    private readonly GroupCommit<UsageEvent> _commit;

    public InProcessUsageQueue(UsageRecorder recorder) =>
        _commit = new GroupCommit<UsageEvent>(batch => recorder.RecordManyAsync(batch, CancellationToken.None), MaxBatch);

    public string Kind => "in-process";

    public async Task<Undelivered> DeliverAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await _commit.WriteAsync(events).ConfigureAwait(false);
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
                    await _commit.WriteAsync([usage]).ConfigureAwait(false);
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
