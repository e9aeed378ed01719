using LlmProxy.Core.Caching;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// Admission of one chat call, in one step: the rate limit (a refusal is a 429), the response cache (a hit is still a
/// request), then the reservation of the call's bound (a refusal is a 429 <c>insufficient_quota</c>; a cache hit reserves
/// only when cached tokens count against the quota).
/// </summary>
public sealed class CallAdmission(Admission admission, ResponseCache cache, CallBounds bounds)
{
    public const string CacheHeader = "X-Cache";

    /// <param name="answerers">The vendors and models that may answer the call (its own, then its fallbacks): the money
    /// reservation prices the bound at the highest of their prices. A cache hit is answered by the call's own.</param>
    internal async Task<AdmittedCall> AdmitAsync(ProxyCall call, IReadOnlyList<(string Provider, string Model)> answerers, CancellationToken cancellationToken)
    {
        var request = await admission.CountRequestAsync(call.TenantId, call.UserId, call.KeyBudget, call.UserCeiling, cancellationToken).ConfigureAwait(false);

        var cacheKey = cache.Enabled && !call.NoCache ? CacheKey.For(call) : null;
        var hit = cacheKey is null ? null : await CachedAnswerAsync(call, cacheKey, cancellationToken).ConfigureAwait(false);
        if (cacheKey is not null) request.Headers[CacheHeader] = hit is null ? "MISS" : "HIT";

        var bound = bounds.For(call);
        var reservation = hit is null || cache.CountsCachedTokens
            ? await admission.ReserveAsync(request, bound, hit is null ? answerers : [answerers[0]], cancellationToken).ConfigureAwait(false)
            : null;
        return new AdmittedCall(request.Limits, request.Headers, hit is null ? cacheKey : null, bound, reservation, hit);
    }

    /// <summary>The stored answer (whole, or a stream's chunks) for the call, if the cache has one.</summary>
    private async Task<CachedAnswer?> CachedAnswerAsync(ProxyCall call, string cacheKey, CancellationToken cancellationToken)
    {
        if (call.Stream)
            return await cache.GetStreamAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false) is { Count: > 0 } chunks ? new CachedAnswer(null, chunks) : null;
        return await cache.GetCompletionAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false) is { } completion ? new CachedAnswer(completion, null) : null;
    }
}

/// <summary>A call that passed admission: its limits, the response headers so far, and its reservation (or its cached answer).</summary>
/// <param name="CacheKey">Where to store the answer; null when the cache is off for the call or already answered it.</param>
internal sealed record AdmittedCall(CallLimits Limits, IReadOnlyDictionary<string, string> Headers, string? CacheKey, CallBound Bound,
    QuotaReservation? Reservation, CachedAnswer? Hit);

/// <summary>An answer from the response cache: a whole completion, or the chunks of a stream.</summary>
internal sealed record CachedAnswer(ChatCompletion? Completion, List<ChatCompletionChunk>? Chunks);
