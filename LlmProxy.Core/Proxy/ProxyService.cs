using LlmProxy.Core.Caching;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy.Fallbacks;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The pipeline behind both front doors: vendor and catalog rules -> admission (rate limit, cache, reservation of the
/// call's bound) -> vendor attempts (the named vendor, then its fallbacks) -> answer, with exactly one usage event per
/// admitted call, charged what each attempt may have been billed (which settles the reservation). Whole answers and
/// streams share the attempt loop; for streams the vendor's first chunk is awaited before answering, so a vendor that
/// refuses the call gives the caller a proper HTTP error (or falls back) rather than a broken stream.
/// </summary>
public sealed partial class ProxyService(
    ProviderRegistry providers,
    ModelCatalog catalog,
    CatalogRules catalogRules,
    CallAdmission admission,
    QuotaService quotas,
    CallBounds bounds,
    ResponseCache cache,
    UsagePublisher publisher,
    FallbackRoutes fallbacks,
    TokenEstimator tokens,
    TimeProvider clock,
    IOptions<ProvidersOptions> providerOptions,
    ILogger<ProxyService> log)
{
    public const string CacheHeader = CallAdmission.CacheHeader;

    public async Task<ProxyOutcome> HandleAsync(ProxyCall call, CancellationToken cancellationToken)
    {
        var provider = providers.Resolve(call.Provider);
        call = catalogRules.Apply(call);
        var targets = fallbacks.For(call, provider);
        var admitted = await admission.AdmitAsync(call, [.. targets.Select(t => (t.Provider.Name, t.Call.Model))], cancellationToken).ConfigureAwait(false);
        var accounting = new CallAccounting(call, provider.Name, admitted.Reservation, admitted.Bound, tokens, clock, catalog.Find(provider.Name, call.Model))
        {
            Cached = admitted.Hit is not null,
        };
        if (admitted.Hit is { } hit) return await ReplayAsync(hit, accounting, provider.Name, admitted.Headers, cancellationToken).ConfigureAwait(false);

        for (var i = 0; ; i++)
        {
            var target = targets[i];
            try
            {
                accounting.Sending();
                return await AttemptAsync(call, target, admitted, accounting, cancellationToken).ConfigureAwait(false);
            }
            catch (ProxyException e) when (i + 1 < targets.Count && FallbackRoutes.Warrants(e))
            {
                accounting.Failed(e);
                var next = targets[i + 1];
                var nextBound = bounds.For(next.Call);
                if (!await CoverAsync(accounting, next, nextBound, admitted.Limits, cancellationToken).ConfigureAwait(false))
                {
                    Log.FallbackNotCovered(log, target.Provider.Name, target.Call.Model, e.Status, next.Provider.Name, next.Call.Model);
                    await publisher.PublishAsync(accounting).ConfigureAwait(false);
                    throw;
                }
                Log.FallingBack(log, target.Provider.Name, target.Call.Model, e.Status, e.Type, next.Provider.Name, next.Call.Model);
                accounting.Retarget(next.Call, next.Provider.Name, catalog.Find(next.Provider.Name, next.Call.Model), nextBound);
            }
            catch (Exception e)
            {
                // A cancelled call stays client_closed; its charge depends on how far the attempt got (CallAccounting.Charge).
                if (e is ProxyException proxyError) accounting.Failed(proxyError);
                else if (e is not OperationCanceledException) accounting.Failed(e);
                await publisher.PublishAsync(accounting).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// One vendor attempt, whole or streamed: the whole answer (stored in the cache, its usage event published), or a
    /// stream whose first chunk has arrived (its event is published when the stream is disposed). Failures come out as
    /// <see cref="ProxyException"/>, a deadline that expired as the vendor's timeout.
    /// </summary>
    private async Task<ProxyOutcome> AttemptAsync(ProxyCall call, FallbackRoutes.Target target, AdmittedCall admitted, CallAccounting accounting, CancellationToken cancellationToken)
    {
        var vendor = target.Provider;
        var deadline = new CallDeadline(vendor.Name, TimeSpan.FromSeconds(providerOptions.Value.For(vendor.Name).TotalTimeoutSeconds), clock, cancellationToken);
        IAsyncEnumerator<ChatCompletionChunk>? chunks = null;
        try
        {
            if (!call.Stream)
            {
                var completion = await vendor.CompleteAsync(target.Call.Request, deadline.Token).ConfigureAwait(false);
                deadline.Dispose();
                accounting.Succeeded(completion);
                if (admitted.CacheKey is { } key) await cache.StoreCompletionAsync(key, call, completion).ConfigureAwait(false);
                await publisher.PublishAsync(accounting).ConfigureAwait(false);
                return ProxyOutcome.Whole(completion with { Provider = vendor.Name }, admitted.Headers);
            }

            chunks = vendor.StreamAsync(target.Call.Request, deadline.Token).GetAsyncEnumerator(deadline.Token);
            if (!await chunks.MoveNextAsync().ConfigureAwait(false))
                throw VendorErrorMapper.MidStream(vendor.Name, $"{vendor.Name} ended the stream without sending anything.");
            var capture = admitted.CacheKey is { } streamKey ? cache.CaptureStream(streamKey, call) : null;
            return ProxyOutcome.Streaming(new ProxyStream(chunks, chunks.Current, accounting, publisher, vendor.Name, capture, deadline), admitted.Headers);
        }
        catch (Exception e)
        {
            if (chunks is not null) await chunks.DisposeAsync().ConfigureAwait(false);
            deadline.Dispose();
            if (e is OperationCanceledException && deadline.Expired) throw deadline.Error();
            throw;
        }
    }

    /// <summary>
    /// Before a fallback attempt, grows the reservation to what the call may already have been charged plus the next
    /// attempt's bound, in tokens and money; false when the quota has no room for it (the fallback is then not tried).
    /// </summary>
    private async Task<bool> CoverAsync(CallAccounting accounting, FallbackRoutes.Target next, CallBound nextBound, CallLimits limits, CancellationToken cancellationToken)
    {
        if (accounting.Reservation is not { } reservation) return true;
        var (chargedTokens, chargedCost) = accounting.Charged;
        if (await quotas.TryCoverAsync(reservation, chargedTokens, chargedCost, nextBound, (next.Provider.Name, next.Call.Model), limits, cancellationToken)
                .ConfigureAwait(false) is not { } covered)
            return false;
        accounting.Reservation = covered;
        return true;
    }

    /// <summary>
    /// Serves a call from the response cache: the stored answer, or the stored stream replayed chunk by chunk in the
    /// same SSE shape. It still yields one usage event, marked cached.
    /// </summary>
    private async Task<ProxyOutcome> ReplayAsync(CachedAnswer hit, CallAccounting accounting, string provider, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        // Each answer is its own: a replay gets a new id and the time it was served, as a fresh answer would.
        var id = "chatcmpl-" + Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");
        var created = clock.GetUtcNow().ToUnixTimeSeconds();
        if (hit.Completion is { } completion)
        {
            accounting.Succeeded(completion);
            await publisher.PublishAsync(accounting).ConfigureAwait(false);
            return ProxyOutcome.Whole(completion with { Provider = provider, Id = id, Created = created }, headers);
        }
        var replay = hit.Chunks!.Select(c => c with { Id = id, Created = created }).ToAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
        await replay.MoveNextAsync().ConfigureAwait(false);
        return ProxyOutcome.Streaming(new ProxyStream(replay, replay.Current, accounting, publisher, provider), headers);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Provider}/{Model} failed ({Status} {Type}); falling back to {NextProvider}/{NextModel}")]
        public static partial void FallingBack(ILogger logger, string provider, string model, int status, string type, string nextProvider, string nextModel);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Provider}/{Model} failed ({Status}); the quota has no room for a fallback to {NextProvider}/{NextModel}")]
        public static partial void FallbackNotCovered(ILogger logger, string provider, string model, int status, string nextProvider, string nextModel);
    }
}
