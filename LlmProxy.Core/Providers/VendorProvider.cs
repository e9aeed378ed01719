using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Providers;

/// <summary>What every real vendor adapter shares: its settings, whether it has a key, where its endpoints are.</summary>
public abstract class VendorProvider(IOptions<ProvidersOptions> options) : IChatProvider
{
    public abstract string Name { get; }

    /// <summary>The vendor's public API root, used when no <c>BaseUrl</c> is set.</summary>
    protected abstract Uri DefaultBaseUrl { get; }

    protected ProviderOptions Settings => options.Value.For(Name);

    /// <summary>Whether calls can reach the vendor: a key, unless the vendor authenticates otherwise.</summary>
    public virtual bool IsConfigured => !string.IsNullOrEmpty(Settings.ApiKey);

    protected TimeSpan FirstByteTimeout => TimeSpan.FromSeconds(Settings.TimeoutSeconds);

    private readonly ConcurrentDictionary<string, Uri> _fixedEndpoints = new();

    /// <summary>An endpoint under the configured (or default) base URL.</summary>
    protected Uri Endpoint(string relative)
    {
        var baseUrl = Settings.BaseUrl ?? DefaultBaseUrl;
        if (!baseUrl.AbsoluteUri.EndsWith('/')) baseUrl = new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(baseUrl, relative);
    }

    /// <summary>
    /// An endpoint whose path is a constant, worked out once: the options do not change while the host runs. Paths
    /// that carry request values (a model name) go through <see cref="Endpoint"/>, so this never grows past the few
    /// paths a vendor has.
    /// </summary>
    protected Uri FixedEndpoint(string relative) =>
        _fixedEndpoints.TryGetValue(relative, out var url) ? url : _fixedEndpoints.GetOrAdd(relative, Endpoint(relative));

    /// <summary>The vendor's whole answer; an empty or malformed body is the vendor's failure (502), not the proxy's.</summary>
    protected async Task<T> ReadAnswerAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw VendorErrorMapper.MidStream(Name, $"{Name} answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw VendorErrorMapper.MidStream(Name, $"{Name} answered with malformed JSON{Where(e)}.");
        }
    }

    /// <summary>
    /// The vendor's SSE events, each parsed straight from the parser's buffer (no copy of its data); events
    /// <paramref name="skip"/> names by their type, and empty ones, come out as null. A malformed event ends the
    /// stream as the vendor's failure.
    /// </summary>
    protected SseParser<T?> EventParser<T>(Stream body, JsonTypeInfo<T> type, Func<string, bool>? skip = null) where T : class =>
        SseParser.Create(body, (eventType, data) => data.IsEmpty || skip?.Invoke(eventType) == true ? null : ParseEvent(data, type));

    protected T ParseEvent<T>(ReadOnlySpan<byte> data, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(data, type) ?? throw VendorErrorMapper.MidStream(Name, $"{Name} sent an empty stream event.");
        }
        catch (JsonException e)
        {
            throw VendorErrorMapper.MidStream(Name, $"{Name} sent a malformed stream event{Where(e)}.");
        }
    }

    /// <summary>Where in the vendor's JSON the parser gave up, but not its message, which can quote the vendor's text.</summary>
    private static string Where(JsonException e) => e.Path is { Length: > 1 } path ? $" (at {path})" : "";

    public abstract Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);

    public abstract IAsyncEnumerable<ChatCompletionChunk> StreamAsync(ChatRequest request, CancellationToken cancellationToken);
}
