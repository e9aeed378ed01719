using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace LlmProxy.Core;

/// <summary>
/// Writes what concurrent callers hand in together (group commit): each caller queues its items and takes the turn;
/// whoever holds the turn writes everything queued so far, up to <paramref name="maxBatch"/> items, in one call of
/// <paramref name="write"/>, so the callers that arrive while a write runs share the next one. A caller returns once its
/// items are written, or throws what the write that held them threw. No background loop: nothing to start or stop.
/// </summary>
internal sealed class GroupCommit<T>(Func<IReadOnlyList<T>, Task> write, int maxBatch)
{
    private readonly ConcurrentQueue<Pending> _queued = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task WriteAsync(IReadOnlyList<T> items)
    {
        var pending = new Pending(items);
        _queued.Enqueue(pending);
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            // Queued in order: by the time this caller's items are at the front, the writes before have taken the rest.
            while (!pending.Done) await WriteQueuedAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
        if (pending.Error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    private async Task WriteQueuedAsync()
    {
        var taken = new List<Pending>();
        var items = new List<T>();
        // Whole callers only, and at least one even when it alone is larger than a batch.
        while (_queued.TryPeek(out var next) && (items.Count == 0 || items.Count + next.Items.Count <= maxBatch) && _queued.TryDequeue(out next))
        {
            taken.Add(next);
            items.AddRange(next.Items);
        }
        try
        {
            await write(items).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var pending in taken) pending.Error = e;
        }
        foreach (var pending in taken) pending.Done = true;
    }

    private sealed class Pending(IReadOnlyList<T> items)
    {
        public IReadOnlyList<T> Items { get; } = items;
        // Written and read only under the turn, whose semaphore orders the accesses.
        public bool Done { get; set; }
        public Exception? Error { get; set; }
    }
}
