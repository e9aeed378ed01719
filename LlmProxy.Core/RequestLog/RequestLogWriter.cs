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
            try
            {
                await StoreAsync([entry]).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Failed(e, entry);
            }
        }
    }

    private const int MaxBatch = 256;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _channel.Reader.DrainInBatchesAsync(MaxBatch, StoreAsync, Failed);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StoreAsync(IReadOnlyList<RequestLogEntry> entries)
    {
        await store.AddManyAsync(entries, CancellationToken.None).ConfigureAwait(false);
        foreach (var _ in entries) _handled.Add();
    }

    private void Failed(Exception e, RequestLogEntry entry)
    {
        log.LogError(e, "Could not write request log entry {EntryId}", entry.Id);
        _handled.Add();
    }

    private readonly HandledCounter _handled = new();

    /// <summary>Completes once this instance has handled at least <paramref name="count"/> entries (written or failed).</summary>
    public Task WhenHandledAsync(long count, CancellationToken cancellationToken) => _handled.WhenAtLeastAsync(count, cancellationToken);
}
