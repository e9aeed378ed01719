using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// Writes the pipeline's answer: a <c>chat.completion</c> as JSON, or an SSE stream of <c>chat.completion.chunk</c>
/// frames flushed one by one and closed by <c>data: [DONE]</c>. A vendor failure mid-stream ends the stream with
/// an OpenAI-style <c>data: {"error":...}</c> frame.
/// </summary>
public sealed class ProxyOutcomeResult(ProxyOutcome outcome) : IActionResult
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in outcome.Headers) http.Response.Headers[name] = value;
        if (outcome.Completion is { } completion)
        {
            http.Response.Headers["X-LlmProxy-Provider"] = completion.Provider;
            await new JsonBodyResult<ChatCompletion>(completion, ProxyJsonContext.Default.ChatCompletion).ExecuteResultAsync(context).ConfigureAwait(false);
            return;
        }

        await using var stream = outcome.Stream!;
        var response = EventStreamResponse.Start(http, stream.Provider);

        using var frames = new FrameWriter();
        try
        {
            await SseFormatter.WriteAsync(Frames(stream, http.RequestAborted), response.Body, frames.Write, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; disposing the stream cancels the vendor call and records the partial usage.
        }
    }

    private static async IAsyncEnumerable<SseItem<object>> Frames(ProxyStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunks = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (chunks.ConfigureAwait(false))
        {
            while (true)
            {
                ErrorBody? failure = null;
                try
                {
                    if (!await chunks.MoveNextAsync().ConfigureAwait(false)) break;
                }
                catch (ProxyException e)
                {
                    failure = e.ToBody();
                }
                if (failure is not null)
                {
                    yield return new SseItem<object>(failure);
                    yield break;
                }
                yield return new SseItem<object>(chunks.Current);
            }
        }
        yield return new SseItem<object>(Done);
    }

    /// <summary>Serialises the frames of one stream through one <see cref="Utf8JsonWriter"/>, pointed at each frame's buffer in turn.</summary>
    private sealed class FrameWriter : IDisposable
    {
        private Utf8JsonWriter? _json;

        public void Write(SseItem<object> item, IBufferWriter<byte> buffer)
        {
            switch (item.Data)
            {
                case ChatCompletionChunk chunk:
                    JsonSerializer.Serialize(Json(buffer), chunk, ProxyJsonContext.Default.ChatCompletionChunk);
                    break;
                case ErrorBody error:
                    JsonSerializer.Serialize(Json(buffer), error, ProxyJsonContext.Default.ErrorBody);
                    break;
                case byte[] raw:
                    buffer.Write(raw);
                    break;
            }
        }

        private Utf8JsonWriter Json(IBufferWriter<byte> buffer)
        {
            if (_json is null) _json = new Utf8JsonWriter(buffer);
            else _json.Reset(buffer);
            return _json;
        }

        public void Dispose() => _json?.Dispose();
    }
}
