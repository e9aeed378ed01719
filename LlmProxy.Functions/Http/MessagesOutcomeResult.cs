using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Messages;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// Writes the pipeline's answer as Anthropic's Messages API does: a message object, or named SSE events flushed one
/// by one. Anthropic's own answer (a passthrough) goes out as Anthropic sent it; another vendor's is translated
/// (<see cref="MessagesAnswer"/>, <see cref="MessagesStream"/>). A failure mid-stream ends it with an <c>error</c> event.
/// <c>message_stop</c> goes out only once the pipeline's stream has ended, i.e. once the call's usage is durable, as
/// <c>[DONE]</c> does on the OpenAI door.
/// </summary>
public sealed class MessagesOutcomeResult(ProxyOutcome outcome, string model) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        foreach (var (name, value) in outcome.Headers) http.Response.Headers[name] = value;
        if (outcome.Completion is { } completion)
        {
            http.Response.Headers["X-LlmProxy-Provider"] = completion.Provider;
            IActionResult body = completion.Native is { } native
                ? new JsonBodyResult<JsonElement>(native, ProxyJsonContext.Default.JsonElement)
                : new JsonBodyResult<JsonObject>(MessagesAnswer.Message(completion, model), ProxyJsonContext.Default.JsonObject);
            await body.ExecuteResultAsync(context).ConfigureAwait(false);
            return;
        }

        await using var stream = outcome.Stream!;
        var response = EventStreamResponse.Start(http, stream.Provider);

        try
        {
            await SseFormatter.WriteAsync(Events(stream, model, http.RequestAborted), response.Body, Write, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; disposing the stream cancels the vendor call and records the partial usage.
        }
    }

    private static async IAsyncEnumerable<SseItem<object>> Events(ProxyStream stream, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunks = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var translated = new MessagesStream(model);
        bool? native = null;
        // The vendor's last event comes before the stream knows it is the last and publishes the usage event.
        SseItem<object>? stop = null;
        await using (chunks.ConfigureAwait(false))
        {
            while (true)
            {
                ProxyException? failure = null;
                try
                {
                    if (!await chunks.MoveNextAsync().ConfigureAwait(false)) break;
                }
                catch (ProxyException e)
                {
                    failure = e;
                }
                if (failure is not null)
                {
                    yield return new SseItem<object>(MessagesAnswer.Error(failure), "error");
                    yield break;
                }
                var chunk = chunks.Current;
                native ??= chunk.Native is not null;
                if (native == true)
                {
                    // Anthropic's own events go out as they came; the proxy's estimated usage chunk has none and is not Anthropic's.
                    if (chunk.Native is { ValueKind: JsonValueKind.Object } element)
                    {
                        var item = new SseItem<object>(element, element.TryGetProperty("type", out var type) ? type.GetString() : null);
                        if (item.EventType == MessageStop) stop = item;
                        else yield return item;
                    }
                    continue;
                }
                foreach (var e in translated.Read(chunk))
                {
                    if (e.Name == MessageStop) stop = new SseItem<object>(e.Data, e.Name);
                    else yield return new SseItem<object>(e.Data, e.Name);
                }
            }
        }
        if (stop is { } held) yield return held;
        if (native != true)
            foreach (var e in translated.Complete()) yield return new SseItem<object>(e.Data, e.Name);
    }

    private const string MessageStop = "message_stop";

    private static void Write(SseItem<object> item, IBufferWriter<byte> buffer)
    {
        using var json = new Utf8JsonWriter(buffer);
        if (item.Data is JsonElement element) element.WriteTo(json);
        else ((JsonNode)item.Data).WriteTo(json);
    }
}
