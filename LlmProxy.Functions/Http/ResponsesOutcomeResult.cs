using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Responses;
using LlmProxy.Core.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// Writes the pipeline's answer as OpenAI's Responses API does: a <c>response</c> object, or its typed SSE events
/// (<see cref="ResponsesStream"/>) flushed one by one; a failure mid-stream ends it with <c>response.failed</c>.
/// <c>response.completed</c> (or <c>.incomplete</c>) goes out only once the pipeline's stream has ended, i.e. once the
/// call's usage is durable, as <c>[DONE]</c> does on the chat doors.
/// </summary>
public sealed class ResponsesOutcomeResult(ProxyOutcome outcome, ResponseEnvelope envelope) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in outcome.Headers) http.Response.Headers[name] = value;
        if (outcome.Completion is { } completion)
        {
            http.Response.Headers["X-LlmProxy-Provider"] = completion.Provider;
            await new JsonBodyResult<JsonObject>(ResponsesAnswer.Response(completion, envelope), ProxyJsonContext.Default.JsonObject)
                .ExecuteResultAsync(context).ConfigureAwait(false);
            return;
        }

        await using var stream = outcome.Stream!;
        await EventStreamResponse.WriteAsync(http, stream.Provider, Events(stream, envelope, http.RequestAborted), Write).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<SseItem<JsonObject>> Events(ProxyStream stream, ResponseEnvelope envelope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var translated = new ResponsesStream(envelope);
        // The answer's end comes with the vendor's usage, before the stream has ended and made the usage event durable.
        ResponsesEvent? end = null;
        await foreach (var (chunk, failure) in EventStreamResponse.ChunksAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in failure is null ? translated.Read(chunk!) : translated.Fail(failure))
            {
                if (ResponsesStream.IsEnd(e)) end = e;
                else yield return new SseItem<JsonObject>(e.Data, e.Type);
            }
            if (failure is not null) yield break;
        }
        foreach (var e in end is null ? translated.Complete() : [end]) yield return new SseItem<JsonObject>(e.Data, e.Type);
    }

    private static void Write(SseItem<JsonObject> item, IBufferWriter<byte> buffer)
    {
        using var json = new Utf8JsonWriter(buffer);
        item.Data.WriteTo(json);
    }
}
