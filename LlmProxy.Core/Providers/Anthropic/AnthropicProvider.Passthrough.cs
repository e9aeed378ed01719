using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Chat;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// The passthrough of <c>POST /v1/messages</c>: the caller's own Messages body goes to Anthropic with only the model
/// (the catalog's name), <c>max_tokens</c> (the budget the call reserved) and the stream flag set, and the <c>anthropic-beta</c> header passed on, so thinking blocks,
/// <c>cache_control</c>, server tools and betas survive. Each answer or stream event comes back whole as
/// <see cref="ChatCompletion.Native"/> / <see cref="ChatCompletionChunk.Native"/>, with the canonical figures the pipeline
/// counts (text for estimates, usage) beside it: one chunk per event, so the caller gets every event as sent.
/// </summary>
public sealed partial class AnthropicProvider
{
    private async Task<ChatCompletion> PassThroughAsync(ChatRequest request, NativeRequest native, CancellationToken cancellationToken)
    {
        using var response = await SendNativeAsync(request, native, stream: false, cancellationToken).ConfigureAwait(false);
        var body = await ReadAnswerAsync(response, AnthropicJsonContext.Default.JsonObject, cancellationToken).ConfigureAwait(false);
        var element = JsonSerializer.SerializeToElement(body, AnthropicJsonContext.Default.JsonObject);
        var answer = element.Deserialize(AnthropicJsonContext.Default.AnthropicResponse) ?? new AnthropicResponse();
        return Canonical(answer, format: null) with { Native = element };
    }

    private async IAsyncEnumerable<ChatCompletionChunk> PassThroughStreamAsync(ChatRequest request, NativeRequest native, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendNativeAsync(request, native, stream: true, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var answer = new CanonicalAnswer("", request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds());
        var usage = new AnthropicUsage();
        var parser = SseParser.Create(body, (_, data) => data.IsEmpty ? (JsonElement?)null : Element(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } element) continue;
            var e = element.Deserialize(AnthropicJsonContext.Default.AnthropicStreamEvent) ?? new AnthropicStreamEvent();
            ChatCompletionChunk chunk;
            switch (e.Type)
            {
                case "message_start":
                    answer.Id = e.Message?.Id ?? answer.Id;
                    answer.Model = e.Message?.Model ?? answer.Model;
                    usage = e.Message?.Usage ?? usage;
                    chunk = answer.Start() with { PartialUsage = usage.ToCanonical() };
                    break;
                case "content_block_delta" when e.Delta?.Type == "text_delta":
                    chunk = answer.Text(e.Delta.Text ?? "");
                    break;
                case "message_delta":
                    usage = usage.With(e.Usage);
                    chunk = (e.Delta?.StopReason is { } stop ? answer.Finish(FinishReason(stop)) : answer.Chunk([])) with { PartialUsage = usage.ToCanonical() };
                    break;
                case "message_stop":
                    yield return answer.Usage(usage.ToCanonical()) with { Native = element };
                    yield break;
                case "error":
                    throw VendorErrorMapper.MidStream(Name, e.Error?.Message);
                default:
                    chunk = answer.Chunk([]);
                    break;
            }
            yield return chunk with { Native = element };
        }
        throw VendorErrorMapper.MidStream(Name, "Anthropic ended the stream before message_stop.");
    }

    private JsonElement Element(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.JsonElement);
        }
        catch (JsonException e)
        {
            throw VendorErrorMapper.MidStream(Name, $"{Name} sent a malformed stream event: {e.Message}");
        }
    }

    private Task<HttpResponseMessage> SendNativeAsync(ChatRequest request, NativeRequest native, bool stream, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var body = (JsonObject)native.Body.DeepClone();
        body["model"] = request.Model;
        // The budget the reservation was made for (the caller's, lowered to the model's most): never more than that.
        if (request.RequestedMaxTokens is { } budget) body["max_tokens"] = budget;
        if (stream) body["stream"] = true;
        else body.Remove("stream");
        return http.SendAsync(Name, FixedEndpoint("v1/messages"), body, AnthropicJsonContext.Default.JsonObject,
            headers =>
            {
                headers.Add("x-api-key", settings.ApiKey);
                headers.Add("anthropic-version", ApiVersion);
                if (native.Beta is { Length: > 0 } beta) headers.Add("anthropic-beta", beta);
            },
            FirstByteTimeout, cancellationToken);
    }
}
