using LlmProxy.Core.Caching;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The pipeline behind both front doors: vendor -> rate limit -> quota reservation -> vendor call -> answer, with
/// exactly one usage event per admitted call (which settles its reservation). For streams the vendor's first
/// chunk is awaited before answering, so a vendor that refuses the call gives the caller a proper HTTP error
/// rather than a broken stream.
/// </summary>
public sealed class ProxyService(
    ProviderRegistry providers,
    ModelCatalog catalog,
    CatalogRules catalogRules,
    QuotaLimits limits,
    RateLimiter rateLimiter,
    QuotaService quotas,
    ResponseCache cache,
    UsagePublisher publisher,
    TokenEstimator tokens,
    TimeProvider clock)
{
    public async Task<ProxyOutcome> HandleAsync(ProxyCall call, CancellationToken cancellationToken)
    {
        var provider = providers.Resolve(call.Provider);
        call = catalogRules.Apply(call);
        var callLimits = await limits.ForCallAsync(call.TenantId, call.UserId, cancellationToken).ConfigureAwait(false);
        var rate = await rateLimiter.AcquireAsync(call.TenantId, call.UserId, callLimits, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(rate?.ToHeaders() ?? new Dictionary<string, string>());
        var cacheKey = cache.Enabled && !call.NoCache ? CacheKey.For(call) : null;
        if (cacheKey is not null)
        {
            if (await FromCacheAsync(call, cacheKey, provider.Name, callLimits, headers, cancellationToken).ConfigureAwait(false) is { } hit)
                return hit;
            headers[CacheHeader] = "MISS";
        }

        QuotaReservation? reservation;
        try
        {
            reservation = await quotas.ReserveAsync(call, callLimits, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxyException e)
        {
            throw new ProxyException(e.Status, e.Type, e.Message, e.Param, e.Provider, e.RetryAfter, e)
            {
                Headers = (e.Headers ?? new Dictionary<string, string>()).Concat(headers).ToDictionary(),
            };
        }

        var accounting = new CallAccounting(call, provider.Name, reservation, tokens, clock, catalog.Find(provider.Name, call.Model));
        if (!call.Stream)
        {
            try
            {
                var completion = await provider.CompleteAsync(call.Request, cancellationToken).ConfigureAwait(false);
                accounting.Succeeded(completion);
                if (cacheKey is not null) await cache.StoreCompletionAsync(cacheKey, call, completion).ConfigureAwait(false);
                return ProxyOutcome.Whole(completion with { Provider = provider.Name }, headers);
            }
            catch (ProxyException e)
            {
                accounting.Failed(e);
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                accounting.Failed(e);
                throw;
            }
            finally
            {
                await publisher.PublishAsync(accounting).ConfigureAwait(false);
            }
        }

        var vendor = provider.StreamAsync(call.Request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await vendor.MoveNextAsync().ConfigureAwait(false))
                throw VendorErrorMapper.MidStream(provider.Name, $"{provider.Name} ended the stream without sending anything.");
            Func<List<ChatCompletionChunk>, Task>? store = cacheKey is null ? null : chunks => cache.StoreStreamAsync(cacheKey, call, chunks);
            return ProxyOutcome.Streaming(new ProxyStream(vendor, vendor.Current, accounting, publisher, provider.Name, store), headers);
        }
        catch (Exception e)
        {
            if (e is ProxyException proxyError) accounting.Failed(proxyError);
            else if (e is not OperationCanceledException) accounting.Failed(e);
            await vendor.DisposeAsync().ConfigureAwait(false);
            await publisher.PublishAsync(accounting).ConfigureAwait(false);
            throw;
        }
    }

    public const string CacheHeader = "X-Cache";

    /// <summary>
    /// Serves a call from the response cache: the stored answer, or the stored stream replayed chunk by chunk in the
    /// same SSE shape. It still yields one usage event, marked cached; whether its tokens count against the quota is
    /// a setting, and only then is a reservation taken.
    /// </summary>
    private async Task<ProxyOutcome?> FromCacheAsync(ProxyCall call, string cacheKey, string provider, CallLimits callLimits,
        Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        ChatCompletion? completion = null;
        List<ChatCompletionChunk>? chunks = null;
        if (call.Stream) chunks = await cache.GetStreamAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false);
        else completion = await cache.GetCompletionAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false);
        if (completion is null && chunks is not { Count: > 0 }) return null;

        var reservation = cache.CountsCachedTokens ? await quotas.ReserveAsync(call, callLimits, cancellationToken).ConfigureAwait(false) : null;
        var accounting = new CallAccounting(call, provider, reservation, tokens, clock, catalog.Find(provider, call.Model)) { Cached = true };
        var hitHeaders = new Dictionary<string, string>(headers) { [CacheHeader] = "HIT" };
        if (completion is not null)
        {
            accounting.Succeeded(completion);
            await publisher.PublishAsync(accounting).ConfigureAwait(false);
            return ProxyOutcome.Whole(completion with { Provider = provider }, hitHeaders);
        }
        var replay = Replay(chunks!).GetAsyncEnumerator(cancellationToken);
        await replay.MoveNextAsync().ConfigureAwait(false);
        return ProxyOutcome.Streaming(new ProxyStream(replay, replay.Current, accounting, publisher, provider), hitHeaders);
    }

    private static async IAsyncEnumerable<ChatCompletionChunk> Replay(List<ChatCompletionChunk> chunks)
    {
        foreach (var chunk in chunks) yield return chunk;
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
