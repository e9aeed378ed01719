using System.Net.ServerSentEvents;
using System.Text;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>Reads an SSE response frame by frame, as a browser or SDK would.</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<string> DataAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parser = SseParser.Create(stream, (_, data) => Encoding.UTF8.GetString(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
            yield return item.Data;
    }

    /// <summary>
    /// Reads a stream the proxy broke off after a vendor failure: the frames that reached the client before the
    /// connection ended. Fails when the body ends cleanly, since every client takes a clean end for a whole answer.
    /// </summary>
    public static async Task<List<string>> UntilBrokenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var frames = new List<string>();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var frame in DataAsync(stream, cancellationToken)) frames.Add(frame);
        });
        return frames;
    }
}
