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
}
