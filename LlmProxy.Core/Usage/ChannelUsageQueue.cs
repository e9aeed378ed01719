using System.Threading.Channels;

namespace LlmProxy.Core.Usage;

/// <summary>
/// The standalone host's queue: an in-memory channel drained by <see cref="InProcessUsageConsumer"/>.
/// Once the consumer has shut down, late events are recorded directly so that none is dropped.
/// </summary>
public sealed class ChannelUsageQueue(UsageRecorder recorder) : IUsageQueue
{
    private readonly Channel<UsageEvent> _channel = Channel.CreateUnbounded<UsageEvent>(new UnboundedChannelOptions { SingleReader = true });

    public string Kind => "in-process";

    internal ChannelReader<UsageEvent> Reader => _channel.Reader;

    public async ValueTask PublishAsync(UsageEvent usage, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(usage)) return;
        // The channel only refuses once it is completed at shutdown.
        await recorder.RecordAsync(usage, CancellationToken.None).ConfigureAwait(false);
    }

    internal void Complete() => _channel.Writer.TryComplete();

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
