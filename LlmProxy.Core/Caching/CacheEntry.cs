namespace LlmProxy.Core.Caching;

/// <summary>One cached answer: a <c>chat.completion</c> or the chunk list of a stream, as UTF-8 JSON.</summary>
public sealed record CacheEntry(string Key, string TenantId, byte[] Payload, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public interface IResponseCacheStore
{
    /// <summary>The entry, unless missing or expired at <paramref name="now"/>.</summary>
    Task<CacheEntry?> GetAsync(string tenantId, string key, DateTimeOffset now, CancellationToken cancellationToken);

    Task SetAsync(CacheEntry entry, CancellationToken cancellationToken);

    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
