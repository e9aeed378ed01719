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
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Functions.Http;

/// <summary>
/// Writes the pipeline's answer: a <c>chat.completion</c> as JSON, or an SSE stream of <c>chat.completion.chunk</c>
/// frames flushed one by one and closed by <c>data: [DONE]</c>. The answer's <c>model</c> is the one the caller asked
/// for; the vendor's own name for it goes in <c>X-LlmProxy-Model</c>. A vendor failure mid-stream sends an OpenAI-style
/// <c>data: {"error":...}</c> frame and then aborts the response, so that no client can take the cut answer for a
/// whole one.
/// </summary>
public sealed class ProxyOutcomeResult(ProxyOutcome outcome, ProxyCall call) : IActionResult
{
    public const string VendorModelHeader = "X-LlmProxy-Model";

    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in outcome.Headers) http.Response.Headers[name] = value;
        if (outcome.Completion is { } completion)
        {
            http.Response.Headers["X-LlmProxy-Provider"] = completion.Provider;
            http.Response.Headers[VendorModelHeader] = completion.Model;
            await new JsonBodyResult<ChatCompletion>(completion with { Model = call.RequestedModel }, ProxyJsonContext.Default.ChatCompletion)
                .ExecuteResultAsync(context).ConfigureAwait(false);
            return;
        }

        await using var stream = outcome.Stream!;
        var response = EventStreamResponse.Start(http, stream.Provider);
        response.Headers[VendorModelHeader] = stream.VendorModel;

        using var frames = new FrameWriter();
        var failed = new StreamFailure();
        try
        {
            await SseFormatter.WriteAsync(Frames(stream, failed, http.RequestAborted), response.Body, frames.Write, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; disposing the stream cancels the vendor call and records the partial usage.
            return;
        }
        if (failed.Happened) await BreakAsync(http).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a failed stream so that no client takes it for a whole answer. Ending the response normally would close the
    /// chunked body cleanly, and the .NET OpenAI SDK, Microsoft.Extensions.AI and Semantic Kernel read a clean end as a
    /// complete answer even after the error frame; so the connection is aborted instead. An abort drops what the server
    /// has not yet handed to the socket, so the error frame (already flushed) is first given <see cref="DrainTime"/> to
    /// leave: the client reads it, then finds the body cut off before its last chunk and raises an error.
    /// </summary>
    private static async Task BreakAsync(HttpContext http)
    {
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        try
        {
            await Task.Delay(DrainTime, clock, http.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller left first: nothing more to send.
        }
        http.Abort();
    }

    /// <summary>
    /// How long a failed stream's last frame is given to reach the socket before the abort. Kestrel hands a flushed frame
    /// to the socket within a millisecond on an idle machine; a second covers a loaded one and costs only the failed call.
    /// </summary>
    internal static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(1);

    private IAsyncEnumerable<SseItem<object>> Frames(ProxyStream stream, StreamFailure failed, CancellationToken cancellationToken) =>
        Frames(stream, call.RequestedModel, call.IncludeUsageChunk, failed, cancellationToken);

    private static async IAsyncEnumerable<SseItem<object>> Frames(ProxyStream stream, string model, bool includeUsage, StreamFailure failed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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
                    failed.Happened = true;
                    yield return new SseItem<object>(failure);
                    yield break;
                }
                var chunk = chunks.Current;
                if (!includeUsage && chunk.Usage is not null)
                {
                    // The caller did not ask for usage: the usage-only chunk is left out, and usage riding on a content
                    // chunk (Mistral sends it unasked) is left off a copy, since the same chunk goes to the cache.
                    if (chunk.Choices.Count == 0) continue;
                    chunk = chunk with { Usage = null };
                }
                chunk.Model = model;
                yield return new SseItem<object>(chunk);
            }
        }
        yield return new SseItem<object>(Done);
    }

    /// <summary>Set once the vendor failed mid-stream; an iterator cannot hand back a flag any other way.</summary>
    private sealed class StreamFailure
    {
        public bool Happened { get; set; }
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
            if (_json is null) _json = new Utf8JsonWriter(buffer, ResponseJson.WriterOptions);
            else _json.Reset(buffer);
            return _json;
        }

        public void Dispose() => _json?.Dispose();
    }
}
