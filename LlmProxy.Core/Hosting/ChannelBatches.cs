using System.Threading.Channels;

namespace LlmProxy.Core;

public static class ChannelBatches
{
    /// <summary>
    /// Writes a channel's items in batches until it is completed and empty: it waits for an item, then takes whatever
    /// else is already queued, up to <paramref name="maxBatch"/>, so a lone item goes at once and a burst goes together
    /// (one store transaction for many calls). A batch that fails is retried item by item, so a bad item costs only
    /// itself; <paramref name="failed"/> hears of each item that could not be written.
    /// </summary>
    public static async Task DrainInBatchesAsync<T>(this ChannelReader<T> reader, int maxBatch,
        Func<IReadOnlyList<T>, Task> write, Action<Exception, T> failed)
    {
        // No cancellation: draining until the writer completes the channel is what loses nothing at shutdown.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // Sized by what is queued: at low load a batch is one item, and a 256-slot list per call would be waste.
            var batch = new List<T>(reader.CanCount ? Math.Clamp(reader.Count, 1, maxBatch) : 1);
            while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            try
            {
                await write(batch).ConfigureAwait(false);
            }
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var item in batch)
                {
                    try
                    {
                        await write([item]).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        failed(e, item);
                    }
                }
            }
            catch (Exception e)
            {
                failed(e, batch[0]);
            }
        }
    }
}
