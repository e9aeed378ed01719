namespace LlmProxy.Core;

/// <summary>
/// A count of work items done by a background loop, with waits for "at least N": lets a caller (a test, a drain)
/// await progress instead of polling for it.
/// </summary>
public sealed class HandledCounter
{
    private readonly Lock _gate = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _count;

    public long Count
    {
        get { lock (_gate) return _count; }
    }

    public void Add()
    {
        lock (_gate)
        {
            _count++;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count > _count) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    public Task WhenAtLeastAsync(long count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }
}
