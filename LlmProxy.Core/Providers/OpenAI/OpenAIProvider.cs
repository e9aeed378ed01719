using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers.OpenAI;

/// <summary>
/// OpenAI Chat Completions. The canonical model is this vendor's schema, so the request goes out as it came in
/// (unknown fields included) with the vendor's model name, and streaming always asks for the usage chunk.
/// </summary>
public sealed class OpenAIProvider(VendorHttp http, IOptions<ProvidersOptions> options) : IChatProvider
{
    public const string ProviderName = "openai";
    private static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1/");

    public string Name => ProviderName;

    private ProviderOptions Options => options.Value.For(ProviderName);

    public bool IsConfigured => !string.IsNullOrEmpty(Options.ApiKey);

    public IReadOnlyList<string> KnownModels { get; } = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4-turbo", "gpt-3.5-turbo"];

    public async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        var body = request with { Stream = null, StreamOptions = null };
        using var response = await SendAsync(body, cancellationToken).ConfigureAwait(false);
        var completion = await response.Content.ReadFromJsonAsync(ProxyJsonContext.Default.ChatCompletion, cancellationToken).ConfigureAwait(false);
        return completion ?? throw VendorErrorMapper.MidStream(ProviderName, "OpenAI answered with an empty body.");
    }

    public async IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = request with { Stream = true, StreamOptions = new StreamOptions { IncludeUsage = true } };
        using var response = await SendAsync(body, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in ReadChunksAsync(ProviderName, stream, cancellationToken).ConfigureAwait(false))
            yield return chunk;
    }

    /// <summary>
    /// Reads an OpenAI-style SSE stream (<c>data: {chunk}</c> frames, <c>data: [DONE]</c> at the end, comment
    /// lines skipped by the parser). An <c>{"error":...}</c> frame ends the stream with the vendor's message.
    /// </summary>
    internal static async IAsyncEnumerable<ChatCompletionChunk> ReadChunksAsync(string provider, Stream stream,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parser = SseParser.Create(stream, static (_, data) => data.ToArray());
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            var data = item.Data;
            if (data.AsSpan().SequenceEqual("[DONE]"u8)) yield break;
            if (data.Length == 0) continue;
            var chunk = JsonSerializer.Deserialize(data, ProxyJsonContext.Default.ChatCompletionChunk)
                ?? throw VendorErrorMapper.MidStream(provider, "The vendor sent an empty stream frame.");
            if (chunk.AdditionalProperties?.TryGetValue("error", out var error) == true)
                throw VendorErrorMapper.MidStream(provider, error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m)
                    ? m.GetString() : error.ToString());
            yield return chunk;
        }
    }

    private Task<HttpResponseMessage> SendAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        var settings = Options;
        var url = new Uri(WithTrailingSlash(settings.BaseUrl ?? DefaultBaseUrl), "chat/completions");
        return http.SendAsync(ProviderName, url, body, ProxyJsonContext.Default.ChatRequest,
            headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey),
            TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken);
    }

    internal static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
