using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.RequestLog;

/// <summary>
/// Writes log entries off the hot path: calls enqueue, one background loop stores. On shutdown every queued
/// entry is written before the host exits; entries arriving after that are written directly.
/// </summary>
public sealed class RequestLogWriter(IRequestLogStore store, ILogger<RequestLogWriter> log) : BackgroundService
{
    private readonly Channel<RequestLogEntry> _channel = Channel.CreateBounded<RequestLogEntry>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public async ValueTask WriteAsync(RequestLogEntry entry)
    {
        try
        {
            await _channel.Writer.WriteAsync(entry).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await StoreAsync(entry).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var entry in _channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            await StoreAsync(entry).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StoreAsync(RequestLogEntry entry)
    {
        try
        {
            await store.AddAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not write request log entry {EntryId}", entry.Id);
        }
        _handled.Add();
    }

    private readonly HandledCounter _handled = new();

    /// <summary>Completes once this instance has handled at least <paramref name="count"/> entries (written or failed).</summary>
    public Task WhenHandledAsync(long count, CancellationToken cancellationToken) => _handled.WhenAtLeastAsync(count, cancellationToken);
}
