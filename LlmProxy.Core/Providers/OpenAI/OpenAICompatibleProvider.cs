using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// A vendor that speaks OpenAI Chat Completions (OpenAI, Mistral, DeepSeek): the canonical request goes out in
/// the same shape, adjusted by <see cref="Shape"/> where the vendor differs, and the answers come back as they are.
/// </summary>
public abstract class OpenAICompatibleProvider(VendorHttp http, IOptions<ProvidersOptions> options) : VendorProvider(options)
{
    private static readonly StreamOptions WithUsage = new() { IncludeUsage = true };

    /// <summary>The request for this vendor. The default asks for the usage chunk when streaming.</summary>
    protected virtual ChatRequest Shape(ChatRequest request, bool stream) => stream
        ? request.Stream == true && request.StreamOptions == WithUsage ? request : request with { Stream = true, StreamOptions = WithUsage }
        : request is { Stream: null, StreamOptions: null } ? request : request with { Stream = null, StreamOptions = null };

    /// <summary>
    /// The vendor's usage in OpenAI's shape; the default takes it as it is. A vendor that reports a figure in a field
    /// of its own (DeepSeek's cache hits) adds it here, so accounting and callers read one shape.
    /// </summary>
    protected virtual ChatUsage Usage(ChatUsage usage) => usage;

    /// <summary>The request for this vendor, once the capability table allows what it asks for.</summary>
    private ChatRequest Prepare(ChatRequest request, bool stream)
    {
        VendorCapabilities.Refuse(Name, request);
        return Shape(request, stream);
    }

    public override async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Prepare(request, stream: false), cancellationToken).ConfigureAwait(false);
        var completion = ToolCallFragments.Complete(await ReadAnswerAsync(response, ProxyJsonContext.Default.ChatCompletion, cancellationToken).ConfigureAwait(false));
        return completion.Usage is { } usage ? completion with { Usage = Usage(usage) } : completion;
    }

    public override async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Prepare(request, stream: true), cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var fragments = new ToolCallFragments();
        await foreach (var chunk in ReadChunksAsync(stream, cancellationToken).ConfigureAwait(false))
            yield return fragments.Complete(chunk);
    }

    /// <summary>Stands for <c>data: [DONE]</c> among the parsed chunks; never leaves this class.</summary>
    private static readonly ChatCompletionChunk Done = new();

    /// <summary>
    /// Reads an OpenAI-style SSE stream (<c>data: {chunk}</c> frames, <c>data: [DONE]</c> at the end, comment
    /// lines such as DeepSeek's <c>: keep-alive</c> skipped by the parser). An <c>{"error":...}</c> frame ends the
    /// stream with the vendor's message.
    /// </summary>
    private async IAsyncEnumerable<ChatCompletionChunk> ReadChunksAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parser = SseParser.Create(stream, (_, data) =>
            data.IsEmpty ? null : data.SequenceEqual("[DONE]"u8) ? Done : ParseEvent(data, ProxyJsonContext.Default.ChatCompletionChunk));
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } chunk) continue;
            if (ReferenceEquals(chunk, Done)) yield break;
            if (chunk.AdditionalProperties?.TryGetValue("error", out var error) == true)
                throw VendorErrorMapper.MidStream(Name, error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m)
                    ? m.GetString() : error.ToString());
            // Only the usage chunk carries usage: one copy per stream.
            yield return chunk.Usage is { } usage ? chunk with { Usage = Usage(usage) } : chunk;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        var authorize = await AuthorizeAsync(cancellationToken).ConfigureAwait(false);
        return await http.SendAsync(Name, ChatEndpoint(body.Model!), body, ProxyJsonContext.Default.ChatRequest, authorize, FirstByteTimeout, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>How a request carries the vendor's credentials: the API key as a bearer token, unless the vendor differs.</summary>
    protected virtual ValueTask<Action<HttpRequestHeaders>> AuthorizeAsync(CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey;
        return ValueTask.FromResult<Action<HttpRequestHeaders>>(headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", key));
    }

    /// <param name="model">The vendor model (a deployment, for vendors that put it in the path).</param>
    protected virtual Uri ChatEndpoint(string model) => FixedEndpoint("chat/completions");

    protected virtual Uri EmbeddingsEndpoint(string model) => FixedEndpoint("embeddings");

    /// <summary>
    /// An OpenAI-shaped embeddings call (<c>POST …/embeddings</c>, <c>{object: "list", data: [{index, embedding}], usage}</c>):
    /// the vectors put back in input order by their <c>index</c>, whatever order they came in.
    /// </summary>
    private protected async Task<EmbeddingBatch> EmbedAsync(OpenAIEmbeddingRequest body, CancellationToken cancellationToken)
    {
        var authorize = await AuthorizeAsync(cancellationToken).ConfigureAwait(false);
        using var response = await http.SendAsync(Name, EmbeddingsEndpoint(body.Model), body, OpenAIEmbeddingJsonContext.Default.OpenAIEmbeddingRequest, authorize,
            FirstByteTimeout, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAnswerAsync(response, ProxyJsonContext.Default.EmbeddingList, cancellationToken).ConfigureAwait(false);
        var vectors = new float[body.Input.Count][];
        foreach (var item in answer.Data)
        {
            if (item.Index < 0 || item.Index >= vectors.Length || vectors[item.Index] is not null)
                throw VendorErrorMapper.MidStream(Name, $"{Name} answered an embedding with index {item.Index} for {vectors.Length} inputs.");
            vectors[item.Index] = item.Embedding.Values;
        }
        return new EmbeddingBatch(vectors, answer.Usage?.PromptTokens, answer.Model);
    }
}
