using LlmProxy.Core.Catalog;
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
        var headers = rate?.ToHeaders();
        QuotaReservation? reservation;
        try
        {
            reservation = await quotas.ReserveAsync(call, callLimits, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxyException e) when (headers is not null)
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
                accounting.Succeeded(completion.Usage);
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
            return ProxyOutcome.Streaming(new ProxyStream(vendor, vendor.Current, accounting, publisher, provider.Name), headers);
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
}
