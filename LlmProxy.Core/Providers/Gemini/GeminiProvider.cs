using System.Runtime.CompilerServices;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Providers.Images;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.Gemini;

/// <summary>
/// Google Gemini <c>generateContent</c> (<c>x-goog-api-key</c>). Streams use <c>streamGenerateContent?alt=sse</c>:
/// bare <c>data:</c> frames, each a whole response with the usage so far, and no end marker; the stream just ends.
/// <c>functionCall</c> parts become tool calls with ids the proxy makes (<see cref="GeminiCallIds"/>), and a turn that
/// ends in calls finishes with <c>tool_calls</c> (Gemini says STOP).
/// Embeddings go to <c>batchEmbedContents</c>, which reports no usage: the proxy counts the tokens itself.
/// </summary>
public sealed class GeminiProvider(VendorHttp http, ImageFetcher images, IOptions<ProvidersOptions> options, TimeProvider clock) : VendorProvider(options), IEmbeddingProvider
{
    public const string ProviderName = "gemini";

    private readonly GeminiRequestBuilder _builder = new(images);

    public override string Name => ProviderName;

    protected override Uri DefaultBaseUrl { get; } = new("https://generativelanguage.googleapis.com/");

    public override async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, "generateContent", cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, GeminiJsonContext.Default.GeminiResponse, cancellationToken).ConfigureAwait(false);
        var ids = new GeminiCallIds(ResponseId(answer));
        var choices = (answer.Candidates ?? []).Select(c =>
        {
            var calls = Calls(c).Select(call => CanonicalAnswer.ToolCall(ids.Next(c.Index, call), call.Name, call.Args?.GetRawText() ?? "{}")).ToList();
            var text = Text(c);
            return new ChatChoice
            {
                Index = c.Index,
                Message = new ChatMessage
                {
                    Role = ChatRoles.Assistant,
                    Content = text.Length == 0 && calls.Count > 0 ? null : MessageContent.FromText(text),
                    ToolCalls = calls.Count > 0 ? calls : null,
                },
                FinishReason = calls.Count > 0 && c.FinishReason is null or "STOP" ? FinishReasons.ToolCalls : FinishReason(c.FinishReason),
            };
        }).ToList();
        if (choices.Count == 0 && answer.PromptFeedback?.BlockReason is not null)
            choices.Add(new ChatChoice { Message = new ChatMessage { Role = ChatRoles.Assistant, Content = MessageContent.FromText("") }, FinishReason = FinishReasons.ContentFilter });
        return new ChatCompletion
        {
            Id = ResponseId(answer),
            Created = clock.GetUtcNow().ToUnixTimeSeconds(),
            Model = answer.ModelVersion ?? request.Model ?? "",
            Choices = choices,
            Usage = Usage(answer.UsageMetadata),
        };
    }

    public override async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, "streamGenerateContent?alt=sse", cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var answer = new CanonicalAnswer("", request.Model ?? "", clock.GetUtcNow().ToUnixTimeSeconds());
        GeminiUsage? usage = null;
        var started = new HashSet<int>();
        GeminiCallIds? ids = null;
        var called = new Dictionary<int, int>();

        var parser = EventParser(body, GeminiJsonContext.Default.GeminiResponse);
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } frame) continue;
            if (frame.Error is { } error) throw VendorErrorMapper.MidStream(Name, error.Message);
            if (answer.Id.Length == 0) answer.Id = ResponseId(frame);
            answer.Model = frame.ModelVersion ?? answer.Model;
            usage = frame.UsageMetadata ?? usage;
            ids ??= new GeminiCallIds(answer.Id);
            // Calls arrive whole; each goes out as OpenAI streams one: a fragment with id and name, then its arguments.
            foreach (var candidate in frame.Candidates ?? [])
            {
                foreach (var call in Calls(candidate))
                {
                    var index = called.GetValueOrDefault(candidate.Index);
                    called[candidate.Index] = index + 1;
                    var role = started.Add(candidate.Index) ? ChatRoles.Assistant : null;
                    yield return answer.Chunk([new ChunkChoice { Index = candidate.Index, Delta = CanonicalAnswer.ToolCallStartDelta(index, ids.Next(candidate.Index, call), call.Name) with { Role = role } }])
                        with { PartialUsage = Usage(usage) };
                    yield return answer.Chunk([new ChunkChoice { Index = candidate.Index, Delta = CanonicalAnswer.ToolCallArgumentsDelta(index, call.Args?.GetRawText() ?? "{}") }]);
                }
            }
            var choices = (frame.Candidates ?? [])
                .Where(c => c.FinishReason is not null || Text(c).Length > 0 || !Calls(c).Any())
                .Select(c => new ChunkChoice
                {
                    Index = c.Index,
                    Delta = new ChatDelta { Role = started.Add(c.Index) ? ChatRoles.Assistant : null, Content = Text(c) },
                    FinishReason = c.FinishReason is null ? null
                        : called.ContainsKey(c.Index) && c.FinishReason == "STOP" ? FinishReasons.ToolCalls : FinishReason(c.FinishReason),
                }).ToList();
            if (choices.Count == 0 && frame.PromptFeedback?.BlockReason is not null)
                choices.Add(new ChunkChoice { Delta = new ChatDelta { Role = ChatRoles.Assistant }, FinishReason = FinishReasons.ContentFilter });
            if (choices.Count > 0) yield return answer.Chunk(choices) with { PartialUsage = Usage(usage) };
        }
        // Without usage from Gemini the proxy's own estimate closes the stream instead (ProxyStream).
        if (Usage(usage) is { } final) yield return answer.Usage(final);
    }

    private static IEnumerable<GeminiFunctionCall> Calls(GeminiCandidate candidate) =>
        candidate.Content?.Parts.Where(p => p.FunctionCall is not null).Select(p => p.FunctionCall!) ?? [];

    /// <summary>Answer text without the thought summaries of thinking models.</summary>
    private static string Text(GeminiCandidate candidate) =>
        string.Concat(candidate.Content?.Parts.Where(p => p.Thought != true).Select(p => p.Text) ?? []);

    /// <summary>
    /// Thinking tokens are billed as output, so they count as completion tokens (and as its reasoning tokens);
    /// <c>promptTokenCount</c> already includes the cached tokens, as OpenAI's <c>prompt_tokens</c> does.
    /// </summary>
    private static ChatUsage? Usage(GeminiUsage? usage) =>
        usage is null ? null : ChatUsage.Of(usage.PromptTokenCount, usage.CandidatesTokenCount + (usage.ThoughtsTokenCount ?? 0),
            usage.CachedContentTokenCount, cacheWrite: null, usage.ThoughtsTokenCount);

    private static string ResponseId(GeminiResponse response) => response.ResponseId ?? "chatcmpl-" + Guid.NewGuid().ToString("N");

    internal static string FinishReason(string? reason) => reason switch
    {
        "MAX_TOKENS" => FinishReasons.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT"
            or "IMAGE_RECITATION" => FinishReasons.ContentFilter,
        _ => FinishReasons.Stop,
    };

    /// <summary>batchEmbedContents takes at most 100 requests.</summary>
    public EmbeddingLimits Limits { get; } = new(100);

    public async Task<EmbeddingBatch> EmbedAsync(EmbeddingCall call, IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey;
        var model = "models/" + call.VendorModel;
        var taskType = TaskType(call.InputType);
        var requests = inputs.Select(text => new GeminiEmbedRequest
        {
            Model = model,
            Content = new GeminiContent { Parts = [new GeminiPart { Text = text }] },
            TaskType = taskType,
            OutputDimensionality = call.Dimensions,
        }).ToList();
        var url = Endpoint($"v1beta/models/{Uri.EscapeDataString(call.VendorModel)}:batchEmbedContents");
        using var response = await http.SendAsync(Name, url, new GeminiBatchEmbedRequest(requests), GeminiJsonContext.Default.GeminiBatchEmbedRequest,
            headers => headers.Add("x-goog-api-key", key), FirstByteTimeout, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, GeminiJsonContext.Default.GeminiBatchEmbedResponse, cancellationToken).ConfigureAwait(false);
        return new EmbeddingBatch((answer.Embeddings ?? []).Select(e => e.Values).ToList(), PromptTokens: null);
    }

    /// <summary>The proxy's <c>input_type</c> (Cohere's names) as Gemini's <c>taskType</c>.</summary>
    private static string? TaskType(string? inputType) => inputType switch
    {
        EmbeddingInputTypes.SearchDocument => "RETRIEVAL_DOCUMENT",
        EmbeddingInputTypes.SearchQuery => "RETRIEVAL_QUERY",
        EmbeddingInputTypes.Classification => "CLASSIFICATION",
        EmbeddingInputTypes.Clustering => "CLUSTERING",
        _ => null,
    };

    private async Task<HttpResponseMessage> SendAsync(ChatRequest request, string action, CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey;
        var body = await _builder.BuildAsync(request, cancellationToken).ConfigureAwait(false);
        var url = Endpoint($"v1beta/models/{Uri.EscapeDataString(request.Model!)}:{action}");
        return await http.SendAsync(Name, url, body, GeminiJsonContext.Default.GeminiRequest,
            headers => headers.Add("x-goog-api-key", key), FirstByteTimeout, cancellationToken).ConfigureAwait(false);
    }
}
