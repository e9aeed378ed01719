using System.Runtime.CompilerServices;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Anthropic;

/// <summary>
/// Anthropic Messages (<c>POST /v1/messages</c>, <c>x-api-key</c>, <c>anthropic-version</c>). Streams are named SSE
/// events; <c>message_start</c> carries the input and cache token counts, <c>message_delta</c> the counts so far
/// (cumulative, so they are assigned, not added).
/// </summary>
public sealed partial class AnthropicProvider(VendorHttp http, IOptions<ProvidersOptions> options, TimeProvider clock) : VendorProvider(options)
{
    public const string ProviderName = "anthropic";
    public const string ApiVersion = "2023-06-01";

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.anthropic.com/");

    public override async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        if (request.Native is { } native) return await PassThroughAsync(request, native, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, stream: false, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, AnthropicJsonContext.Default.AnthropicResponse, cancellationToken).ConfigureAwait(false);
        return Canonical(answer, AnswerTool.NameFor(request));
    }

    /// <summary>Anthropic's answer in OpenAI's form; the format tool's input (<see cref="AnswerTool"/>) is the answer's text.</summary>
    private ChatCompletion Canonical(AnthropicResponse answer, string? format)
    {
        var text = string.Concat(answer.Content.Where(b => b.Type == "text").Select(b => b.Text));
        var calls = answer.Content.Where(b => b.Type == "tool_use" && b.Name != format)
            .Select(b => CanonicalAnswer.ToolCall(b.Id ?? "", b.Name ?? "", b.Input?.GetRawText() ?? "{}")).ToList();
        var finish = FinishReason(answer.StopReason);
        // The format tool's input is the answer itself.
        if (answer.Content.FirstOrDefault(b => b.Type == "tool_use" && b.Name == format) is { } formatted)
        {
            text = formatted.Input?.GetRawText() ?? "{}";
            if (calls.Count == 0 && finish == FinishReasons.ToolCalls) finish = FinishReasons.Stop;
        }
        return new CanonicalAnswer(answer.Id, answer.Model, clock.GetUtcNow().ToUnixTimeSeconds())
            .Completion(text, finish, (answer.Usage ?? new AnthropicUsage()).ToCanonical(), calls);
    }

    public override async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Native is { } native)
        {
            await foreach (var chunk in PassThroughStreamAsync(request, native, cancellationToken).ConfigureAwait(false)) yield return chunk;
            yield break;
        }
        using var response = await SendAsync(request, stream: true, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var answer = new CanonicalAnswer("", request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds());
        var tools = new AnthropicToolStream(answer, AnswerTool.NameFor(request));
        var usage = new AnthropicUsage();

        var parser = EventParser(body, AnthropicJsonContext.Default.AnthropicStreamEvent, static type => type is "ping");
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } e) continue;
            switch (e.Type)
            {
                case "message_start":
                    answer.Id = e.Message?.Id ?? answer.Id;
                    answer.Model = e.Message?.Model ?? answer.Model;
                    usage = usage.With(e.Message?.Usage);
                    yield return answer.Start() with { PartialUsage = usage.ToCanonical() };
                    break;
                case "content_block_delta" when e.Delta?.Type == "text_delta":
                    yield return answer.Text(e.Delta.Text ?? "");
                    break;
                case "content_block_start" or "content_block_delta" or "content_block_stop":
                    if (tools.Read(e) is { } fragment) yield return fragment;
                    break;
                case "message_delta":
                    usage = usage.With(e.Usage);
                    if (e.Delta?.StopReason is { } stop) yield return answer.Finish(tools.Finish(FinishReason(stop))) with { PartialUsage = usage.ToCanonical() };
                    break;
                case "message_stop":
                    yield return answer.Usage(usage.ToCanonical());
                    yield break;
                case "error":
                    throw VendorErrorMapper.MidStream(Name, e.Error?.Message);
            }
        }
        throw VendorErrorMapper.MidStream(Name, "Anthropic ended the stream before message_stop.");
    }

    internal static string FinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => FinishReasons.Length,
        "tool_use" => FinishReasons.ToolCalls,
        "refusal" => FinishReasons.ContentFilter,
        _ => FinishReasons.Stop,
    };

    private Task<HttpResponseMessage> SendAsync(ChatRequest request, bool stream, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var body = AnthropicRequestBuilder.Build(request, stream);
        return http.SendAsync(Name, FixedEndpoint("v1/messages"), body, AnthropicJsonContext.Default.AnthropicRequest,
            headers =>
            {
                headers.Add("x-api-key", settings.ApiKey);
                headers.Add("anthropic-version", ApiVersion);
            },
            FirstByteTimeout, cancellationToken);
    }
}
