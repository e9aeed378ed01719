using LlmProxy.Core.Caching;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy.Fallbacks;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;

using LlmProxy.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    Admission admission,
    CallBounds bounds,
    ResponseCache cache,
    UsagePublisher publisher,
    FallbackRoutes fallbacks,
    TokenEstimator tokens,
    TimeProvider clock,
    IOptions<ProvidersOptions> providerOptions,
    ILogger<ProxyService> log)
{
    public async Task<ProxyOutcome> HandleAsync(ProxyCall call, CancellationToken cancellationToken)
    {
        var provider = providers.Resolve(call.Provider);
        call = catalogRules.Apply(call);
        var admitted = await admission.CountRequestAsync(call.TenantId, call.UserId, call.KeyBudget, call.UserCeiling, cancellationToken).ConfigureAwait(false);
        var headers = admitted.Headers;
        var cacheKey = cache.Enabled && !call.NoCache ? CacheKey.For(call) : null;
        if (cacheKey is not null)
        {
            if (await FromCacheAsync(call, cacheKey, provider.Name, admitted, cancellationToken).ConfigureAwait(false) is { } hit)
                return hit;
            headers[CacheHeader] = "MISS";
        }

        var targets = fallbacks.For(call, provider);
        var reservation = await admission.ReserveAsync(admitted, bounds.For(call), [.. targets.Select(t => (t.Provider.Name, t.Call.Model))], cancellationToken)
            .ConfigureAwait(false);

        var accounting = new CallAccounting(call, provider.Name, reservation, tokens, clock, catalog.Find(provider.Name, call.Model));
        for (var i = 0; ; i++)
        {
            var (target, vendor) = targets[i];
            var last = i == targets.Count - 1;
            if (i > 0) accounting.Retarget(target, vendor.Name, catalog.Find(vendor.Name, target.Model));
            if (!call.Stream)
            {
                using var deadline = Deadline(vendor.Name, cancellationToken);
                try
                {
                    ChatCompletion completion;
                    try
                    {
                        completion = await vendor.CompleteAsync(target.Request, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (deadline.Expired)
                    {
                        throw deadline.Error();
                    }
                    accounting.Succeeded(completion);
                    if (cacheKey is not null) await cache.StoreCompletionAsync(cacheKey, call, completion).ConfigureAwait(false);
                    await publisher.PublishAsync(accounting).ConfigureAwait(false);
                    return ProxyOutcome.Whole(completion with { Provider = vendor.Name }, headers);
                }
                catch (ProxyException e) when (!last && FallbackRoutes.Warrants(e))
                {
                    log.LogWarning("{Provider}/{Model} failed ({Status} {Type}); falling back to {Next}", vendor.Name, target.Model, e.Status, e.Type, targets[i + 1].Call.Provider + "/" + targets[i + 1].Call.Model);
                }
                catch (Exception e)
                {
                    await FailAsync(accounting, e).ConfigureAwait(false);
                    throw;
                }
                continue;
            }

            var streamDeadline = Deadline(vendor.Name, cancellationToken);
            var chunks = vendor.StreamAsync(target.Request, streamDeadline.Token).GetAsyncEnumerator(streamDeadline.Token);
            try
            {
                bool first;
                try
                {
                    first = await chunks.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (streamDeadline.Expired)
                {
                    throw streamDeadline.Error();
                }
                if (!first)
                    throw VendorErrorMapper.MidStream(vendor.Name, $"{vendor.Name} ended the stream without sending anything.");
                var capture = cacheKey is null ? null : cache.CaptureStream(cacheKey, call);
                return ProxyOutcome.Streaming(new ProxyStream(chunks, chunks.Current, accounting, publisher, vendor.Name, capture, streamDeadline), headers);
            }
            catch (ProxyException e) when (!last && FallbackRoutes.Warrants(e))
            {
                await chunks.DisposeAsync().ConfigureAwait(false);
                streamDeadline.Dispose();
                log.LogWarning("{Provider}/{Model} failed ({Status} {Type}); falling back to {Next}", vendor.Name, target.Model, e.Status, e.Type, targets[i + 1].Call.Provider + "/" + targets[i + 1].Call.Model);
            }
            catch (Exception e)
            {
                await chunks.DisposeAsync().ConfigureAwait(false);
                streamDeadline.Dispose();
                await FailAsync(accounting, e).ConfigureAwait(false);
                throw;
            }
        }
    }

    private CallDeadline Deadline(string provider, CancellationToken cancellationToken) =>
        new(provider, TimeSpan.FromSeconds(providerOptions.Value.For(provider).TotalTimeoutSeconds), clock, cancellationToken);

    /// <summary>Ends a call that got no answer: its one usage event says why (a cancelled call stays client_closed).</summary>
    private async Task FailAsync(CallAccounting accounting, Exception error)
    {
        if (error is ProxyException proxyError) accounting.Failed(proxyError);
        else if (error is not OperationCanceledException) accounting.Failed(error);
        await publisher.PublishAsync(accounting).ConfigureAwait(false);
    }

    public const string CacheHeader = "X-Cache";

    /// <summary>
    /// Serves a call from the response cache: the stored answer, or the stored stream replayed chunk by chunk in the
    /// same SSE shape. It still yields one usage event, marked cached; whether its tokens count against the quota is
    /// a setting, and only then is a reservation taken.
    /// </summary>
    private async Task<ProxyOutcome?> FromCacheAsync(ProxyCall call, string cacheKey, string provider, AdmittedRequest admitted,
        CancellationToken cancellationToken)
    {
        ChatCompletion? completion = null;
        List<ChatCompletionChunk>? chunks = null;
        if (call.Stream) chunks = await cache.GetStreamAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false);
        else completion = await cache.GetCompletionAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false);
        if (completion is null && chunks is not { Count: > 0 }) return null;

        var reservation = cache.CountsCachedTokens
            ? await admission.ReserveAsync(admitted, bounds.For(call), [(provider, call.Model)], cancellationToken).ConfigureAwait(false)
            : null;
        var accounting = new CallAccounting(call, provider, reservation, tokens, clock, catalog.Find(provider, call.Model)) { Cached = true };
        var hitHeaders = new Dictionary<string, string>(admitted.Headers) { [CacheHeader] = "HIT" };
        // Each answer is its own: a replay gets a new id and the time it was served, as a fresh answer would.
        var id = "chatcmpl-" + Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");
        var created = clock.GetUtcNow().ToUnixTimeSeconds();
        if (completion is not null)
        {
            accounting.Succeeded(completion);
            await publisher.PublishAsync(accounting).ConfigureAwait(false);
            return ProxyOutcome.Whole(completion with { Provider = provider, Id = id, Created = created }, hitHeaders);
        }
        var replay = chunks!.Select(c => c with { Id = id, Created = created }).ToAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
        await replay.MoveNextAsync().ConfigureAwait(false);
        return ProxyOutcome.Streaming(new ProxyStream(replay, replay.Current, accounting, publisher, provider), hitHeaders);
    }
}
