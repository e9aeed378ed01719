using LlmProxy.Core.Caching;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Embeddings;

/// <summary>
/// The pipeline behind <c>POST /v1/embeddings</c>, on the same services as chat: vendor -> catalog -> rate limit ->
/// response cache -> quota reservation of the texts' token bound -> vendor calls -> exactly one usage event (which
/// settles the reservation) and one request-log entry. Texts beyond what one vendor call may carry are sent in
/// several calls, one after the other, and the vectors put back together in the caller's order.
/// </summary>
public sealed class EmbeddingService(
    ProviderRegistry providers,
    ModelCatalog catalog,
    CatalogRules catalogRules,
    Admission admission,
    ResponseCache cache,
    UsagePublisher publisher,
    TokenEstimator tokens,
    TimeProvider clock,
    IOptions<ProvidersOptions> providerOptions)
{
    public async Task<EmbeddingOutcome> HandleAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        var provider = providers.ResolveEmbeddings(call.Provider);
        call = catalogRules.Apply(call);
        var admitted = await admission.CountRequestAsync(call.TenantId, call.UserId, key: null, userCeiling: null, cancellationToken).ConfigureAwait(false);
        var headers = admitted.Headers;
        var cacheKey = cache.Enabled && !call.NoCache ? CacheKey.For(call) : null;
        if (cacheKey is not null)
        {
            if (await cache.GetEmbeddingsAsync(call.TenantId, cacheKey, cancellationToken).ConfigureAwait(false) is { } hit)
                return await FromCacheAsync(call, hit, provider.Name, admitted, cancellationToken).ConfigureAwait(false);
            headers[ProxyService.CacheHeader] = "MISS";
        }

        var reservation = await admission.ReserveAsync(admitted, call.Bound(), [(provider.Name, call.Model)], cancellationToken).ConfigureAwait(false);
        var accounting = new EmbeddingAccounting(call, provider.Name, reservation, tokens, clock, catalog.Find(provider.Name, call.Model));
        using var deadline = new CallDeadline(provider.Name, TimeSpan.FromSeconds(providerOptions.Value.For(provider.Name).TotalTimeoutSeconds), clock, cancellationToken);
        EmbeddingList answer;
        try
        {
            try
            {
                answer = await EmbedAsync(provider, call, accounting, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.Expired)
            {
                throw deadline.Error();
            }
        }
        catch (Exception e)
        {
            accounting.Failed(e);
            await publisher.PublishAsync(accounting).ConfigureAwait(false);
            throw;
        }
        accounting.Succeeded(answer);
        if (cacheKey is not null) await cache.StoreEmbeddingsAsync(cacheKey, call.TenantId, answer).ConfigureAwait(false);
        await publisher.PublishAsync(accounting).ConfigureAwait(false);
        return new EmbeddingOutcome(answer.As(call.Encoding), headers);
    }

    /// <summary>The vendor calls, each within the vendor's limits, and their vectors in the caller's order.</summary>
    private static async Task<EmbeddingList> EmbedAsync(IEmbeddingProvider provider, EmbeddingCall call, EmbeddingAccounting accounting, CancellationToken cancellationToken)
    {
        var items = new List<EmbeddingItem>(call.Inputs.Count);
        string? model = null;
        foreach (var batch in EmbeddingBatches.Split(call.Inputs, provider.Limits))
        {
            var answer = await provider.EmbedAsync(call, batch, cancellationToken).ConfigureAwait(false);
            accounting.Billed(batch, answer.PromptTokens);
            if (answer.Vectors.Count != batch.Count || answer.Vectors.Any(v => v is null))
                throw VendorErrorMapper.MidStream(provider.Name, $"{provider.Name} answered {answer.Vectors.Count(v => v is not null)} embeddings for {batch.Count} texts.");
            foreach (var vector in answer.Vectors) items.Add(new EmbeddingItem { Index = items.Count, Embedding = new EmbeddingVector(vector) });
            model ??= answer.Model;
        }
        return new EmbeddingList
        {
            Data = items,
            Model = model ?? call.VendorModel,
            Usage = new EmbeddingUsage { PromptTokens = accounting.PromptTokens, TotalTokens = accounting.PromptTokens },
            Provider = provider.Name,
        };
    }

    /// <summary>
    /// A cached answer still makes one usage event, marked cached; whether its tokens count against the quota is a
    /// setting, and only then is a reservation taken.
    /// </summary>
    private async Task<EmbeddingOutcome> FromCacheAsync(EmbeddingCall call, EmbeddingList hit, string provider, AdmittedRequest admitted,
        CancellationToken cancellationToken)
    {
        var reservation = cache.CountsCachedTokens ? await admission.ReserveAsync(admitted, call.Bound(), [(provider, call.Model)], cancellationToken).ConfigureAwait(false) : null;
        var accounting = new EmbeddingAccounting(call, provider, reservation, tokens, clock, catalog.Find(provider, call.Model)) { Cached = true };
        accounting.Replayed(hit);
        await publisher.PublishAsync(accounting).ConfigureAwait(false);
        return new EmbeddingOutcome(hit.As(call.Encoding) with { Provider = provider },
            new Dictionary<string, string>(admitted.Headers) { [ProxyService.CacheHeader] = "HIT" });
    }
}

/// <summary>What the embeddings pipeline hands the front door: the answer and response headers (rate limit, cache).</summary>
public sealed record EmbeddingOutcome(EmbeddingList Answer, IReadOnlyDictionary<string, string> Headers);
