using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LlmProxy.Functions.Http;

/// <summary>Writes a Server-Sent Events answer, whichever door's events follow.</summary>
internal static class EventStreamResponse
{
    /// <summary>Starts the answer and writes <paramref name="events"/>, each flushed as it comes; a caller gone away ends it quietly.</summary>
    public static async Task WriteAsync<T>(HttpContext http, string provider, IAsyncEnumerable<SseItem<T>> events, Action<SseItem<T>, IBufferWriter<byte>> write)
    {
        var response = Start(http, provider);
        try
        {
            await SseFormatter.WriteAsync(events, response.Body, write, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; disposing the stream cancels the vendor call and records the partial usage.
        }
    }

    public static HttpResponse Start(HttpContext http, string provider)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx, Front Door) would otherwise hold events back until a buffer fills.
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers["X-LlmProxy-Provider"] = provider;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response;
    }

    /// <summary>The stream's chunks, and a failure mid-stream as its last item rather than an exception, so a door can write it in its shape.</summary>
    public static async IAsyncEnumerable<(ChatCompletionChunk? Chunk, ProxyException? Failure)> ChunksAsync(ProxyStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunks = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (chunks.ConfigureAwait(false))
        {
            while (true)
            {
                ProxyException? failure = null;
                try
                {
                    if (!await chunks.MoveNextAsync().ConfigureAwait(false)) yield break;
                }
                catch (ProxyException e)
                {
                    failure = e;
                }
                if (failure is not null)
                {
                    yield return (null, failure);
                    yield break;
                }
                yield return (chunks.Current, null);
            }
        }
    }
}
