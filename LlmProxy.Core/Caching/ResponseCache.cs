using System.Text.Json;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Caching;

/// <summary>Reads and writes cached answers; store failures never fail the call, they only cost a miss.</summary>
public sealed class ResponseCache(IResponseCacheStore store, IOptions<ResponseCacheOptions> options, TimeProvider clock, ILogger<ResponseCache> log)
{
    private long _hits;
    private long _misses;

    public bool Enabled => options.Value.Enabled;

    public bool CountsCachedTokens => options.Value.CountCachedTokensAgainstQuota;

    /// <summary>Hits over lookups since start; null before the first lookup.</summary>
    public double? HitRatio
    {
        get
        {
            var hits = Interlocked.Read(ref _hits);
            var total = hits + Interlocked.Read(ref _misses);
            return total == 0 ? null : hits / (double)total;
        }
    }

    public async Task<ChatCompletion?> GetCompletionAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        await GetAsync(tenantId, key, ProxyJsonContext.Default.ChatCompletion, cancellationToken).ConfigureAwait(false);

    public async Task<List<ChatCompletionChunk>?> GetStreamAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        await GetAsync(tenantId, key, ProxyJsonContext.Default.ListChatCompletionChunk, cancellationToken).ConfigureAwait(false);

    public async Task<EmbeddingList?> GetEmbeddingsAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        await GetAsync(tenantId, key, ProxyJsonContext.Default.EmbeddingList, cancellationToken).ConfigureAwait(false);

    public Task StoreCompletionAsync(string key, ProxyCall call, ChatCompletion completion) =>
        StoreAsync(key, call.TenantId, JsonSerializer.SerializeToUtf8Bytes(completion, ProxyJsonContext.Default.ChatCompletion));

    /// <summary>Kept in base64, which holds each float exactly in about half the bytes of JSON numbers.</summary>
    public Task StoreEmbeddingsAsync(string key, string tenantId, EmbeddingList answer) =>
        StoreAsync(key, tenantId, JsonSerializer.SerializeToUtf8Bytes(answer.As(EmbeddingEncoding.Base64), ProxyJsonContext.Default.EmbeddingList));

    /// <summary>A capture that stores the stream it is given under <paramref name="key"/> once it completed, if it fits.</summary>
    internal CachedStreamCapture CaptureStream(string key, ProxyCall call) =>
        new(payload => StoreAsync(key, call.TenantId, payload), options.Value.MaxEntryBytes);

    private async Task<T?> GetAsync<T>(string tenantId, string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var entry = await store.GetAsync(tenantId, key, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (entry is not null)
            {
                Interlocked.Increment(ref _hits);
                return JsonSerializer.Deserialize(entry.Payload, type);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Cache lookup failed; answering from the vendor");
        }
        Interlocked.Increment(ref _misses);
        return null;
    }

    private async Task StoreAsync(string key, string tenantId, byte[] payload)
    {
        var settings = options.Value;
        if (payload.Length > settings.MaxEntryBytes) return;
        var now = clock.GetUtcNow();
        try
        {
            // Not the caller's token: the answer is complete and worth keeping even if the caller has left.
            await store.SetAsync(new CacheEntry(key, tenantId, payload, now, now.AddSeconds(settings.TtlSeconds)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not store an answer in the cache");
        }
    }
}
