using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Cohere;

/// <summary>
/// Cohere Chat v2 (<c>POST /v2/chat</c>, bearer key). Streams are named SSE events; the text is in
/// <c>content-delta</c>, the finish reason, usage and any error in <c>message-end</c>. A tool call streams as
/// <c>tool-call-start</c> (id, name), <c>tool-call-delta</c> (argument pieces) and <c>tool-call-end</c>, which become
/// OpenAI's fragments; <c>tool-plan-delta</c> text becomes content. Embeddings go to Embed v2
/// (<c>POST /v2/embed</c>) as float vectors; <c>input_type</c>, which v3 and later models require, defaults to
/// <c>search_document</c>.
/// </summary>
public sealed class CohereProvider(VendorHttp http, IOptions<ProvidersOptions> options, TimeProvider clock) : VendorProvider(options), IEmbeddingProvider
{
    private static readonly string[] FloatVectors = ["float"];
    public const string ProviderName = "cohere";

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://api.cohere.com/");

    public override async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, stream: false, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, CohereJsonContext.Default.CohereResponse, cancellationToken).ConfigureAwait(false);
        if (answer.FinishReason == "ERROR") throw VendorErrorMapper.MidStream(Name, "Cohere reported an error while generating.");
        var text = string.Concat(answer.Message?.Content?.Where(c => c.Type == "text").Select(c => c.Text) ?? []);
        var calls = answer.Message?.ToolCalls?.Select(c => CanonicalAnswer.ToolCall(c.Id ?? "", c.Function?.Name ?? "", c.Function?.Arguments ?? "{}")).ToList();
        // The plan Cohere writes before its calls is the text OpenAI puts beside them.
        if (text.Length == 0 && calls is { Count: > 0 }) text = answer.Message?.ToolPlan ?? "";
        return new CanonicalAnswer(answer.Id, request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds())
            .Completion(text, FinishReason(answer.FinishReason), Usage(answer.Usage), calls);
    }

    public override async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, stream: true, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var answer = new CanonicalAnswer("", request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds());
        var calls = 0;

        var parser = EventParser(body, CohereJsonContext.Default.CohereStreamEvent,
            static type => type is not ("message-start" or "content-delta" or "tool-plan-delta" or "tool-call-start" or "tool-call-delta" or "message-end"));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } e) continue;
            switch (e.Type)
            {
                case "message-start":
                    answer.Id = e.Id ?? answer.Id;
                    yield return answer.Start();
                    break;
                case "content-delta" when e.Delta?.Message?.Text is { } text:
                    yield return answer.Text(text);
                    break;
                case "tool-plan-delta" when e.Delta?.Message?.ToolPlan is { Length: > 0 } plan:
                    yield return answer.Text(plan);
                    break;
                case "tool-call-start" when e.Delta?.Message?.ToolCalls is { ValueKind: JsonValueKind.Object } start:
                    var call = start.Deserialize(CohereJsonContext.Default.ChatToolCall)!;
                    yield return answer.ToolCallStart(calls++, call.Id ?? "", call.Function?.Name ?? "");
                    if (call.Function?.Arguments is { Length: > 0 } first) yield return answer.ToolCallArguments(calls - 1, first);
                    break;
                case "tool-call-delta" when calls > 0 && e.Delta?.Message?.ToolCalls is { ValueKind: JsonValueKind.Object } piece
                                            && piece.Deserialize(CohereJsonContext.Default.ChatToolCall)!.Function?.Arguments is { Length: > 0 } arguments:
                    yield return answer.ToolCallArguments(calls - 1, arguments);
                    break;
                case "message-end":
                    if (e.Delta?.Error is not null || e.Delta?.FinishReason == "ERROR")
                        throw VendorErrorMapper.MidStream(Name, e.Delta?.Error ?? "Cohere reported an error while generating.");
                    yield return answer.Finish(FinishReason(e.Delta?.FinishReason));
                    if (Usage(e.Delta?.Usage) is { } usage) yield return answer.Usage(usage);
                    yield break;
            }
        }
        throw VendorErrorMapper.MidStream(Name, "Cohere ended the stream before message-end.");
    }

    /// <summary>
    /// Billed units are what Cohere charges for; <c>tokens</c> also counts its prompt template. Cached tokens are
    /// taken as part of the prompt, never more than it.
    /// </summary>
    private static ChatUsage? Usage(CohereUsage? usage)
    {
        if (usage is null || (usage.BilledUnits ?? usage.Tokens) is not { } tokens) return null;
        var prompt = (int)(tokens.InputTokens ?? 0);
        return ChatUsage.Of(prompt, (int)(tokens.OutputTokens ?? 0),
            usage.CachedTokens is { } cached ? Math.Min((int)cached, prompt) : null, cacheWrite: null, reasoning: null);
    }

    internal static string FinishReason(string? reason) => reason switch
    {
        "MAX_TOKENS" => FinishReasons.Length,
        "TOOL_CALL" => FinishReasons.ToolCalls,
        _ => FinishReasons.Stop,
    };

    /// <summary>Embed v2 takes at most 96 texts per call.</summary>
    public EmbeddingLimits Limits { get; } = new(96);

    public async Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey;
        var body = new CohereEmbedRequest
        {
            Model = call.VendorModel,
            Texts = inputs,
            InputType = call.InputType ?? EmbeddingInputTypes.SearchDocument,
            EmbeddingTypes = FloatVectors,
            OutputDimension = call.Dimensions,
        };
        using var response = await http.SendAsync(Name, FixedEndpoint("v2/embed"), body, CohereJsonContext.Default.CohereEmbedRequest,
            headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", key), FirstByteTimeout, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, CohereJsonContext.Default.CohereEmbedResponse, cancellationToken).ConfigureAwait(false);
        var vectors = answer.Embeddings?.Float ?? throw VendorErrorMapper.MidStream(Name, "Cohere answered without float embeddings.");
        return new EmbeddingBatch(vectors, answer.Meta?.BilledUnits?.InputTokens is { } billed ? (int)billed : null);
    }

    private Task<HttpResponseMessage> SendAsync(ChatRequest request, bool stream, CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey;
        return http.SendAsync(Name, FixedEndpoint("v2/chat"), CohereRequestBuilder.Build(request, stream), CohereJsonContext.Default.CohereRequest,
            headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", key), FirstByteTimeout, cancellationToken);
    }
}
