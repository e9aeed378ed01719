using LlmProxy.Core.Catalog;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Logging;

namespace LlmProxy.Core.Proxy;

/// <summary>
/// The pipeline behind both front doors: vendor -> quota check -> vendor call -> answer, with exactly one usage
/// event per admitted call. For streams the vendor's first chunk is awaited before answering, so a vendor that
/// refuses the call gives the caller a proper HTTP error rather than a broken stream.
/// </summary>
public sealed class ProxyService(
    ProviderRegistry providers,
    ModelCatalog catalog,
    CatalogRules catalogRules,
    QuotaService quotas,
    IUsageQueue usageQueue,
    TokenEstimator tokens,
    TimeProvider clock,
    ILogger<ProxyService> log)
{
    public async Task<ProxyOutcome> HandleAsync(ProxyCall call, CancellationToken cancellationToken)
    {
        var provider = providers.Resolve(call.Provider);
        call = catalogRules.Apply(call);
        await quotas.EnsureWithinQuotaAsync(call.TenantId, call.UserId, cancellationToken).ConfigureAwait(false);

        var accounting = new CallAccounting(call, provider.Name, tokens, clock, catalog.Find(provider.Name, call.Model));
        if (!call.Stream)
        {
            try
            {
                var completion = await provider.CompleteAsync(call.Request, cancellationToken).ConfigureAwait(false);
                accounting.Succeeded(completion.Usage);
                return ProxyOutcome.Whole(completion with { Provider = provider.Name });
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
                await PublishAsync(accounting).ConfigureAwait(false);
            }
        }

        var vendor = provider.StreamAsync(call.Request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await vendor.MoveNextAsync().ConfigureAwait(false))
                throw VendorErrorMapper.MidStream(provider.Name, $"{provider.Name} ended the stream without sending anything.");
            return ProxyOutcome.Streaming(new ProxyStream(vendor, vendor.Current, accounting, usageQueue, provider.Name));
        }
        catch (Exception e)
        {
            if (e is ProxyException proxyError) accounting.Failed(proxyError);
            else if (e is not OperationCanceledException) accounting.Failed(e);
            await vendor.DisposeAsync().ConfigureAwait(false);
            await PublishAsync(accounting).ConfigureAwait(false);
            throw;
        }
    }

    private async Task PublishAsync(CallAccounting accounting)
    {
        if (accounting.TakeEvent() is not { } usage) return;
        try
        {
            await usageQueue.PublishAsync(usage, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not publish usage event {UsageId} for {Tenant}/{User}", usage.Id, usage.TenantId, usage.UserId);
            throw;
        }
    }
}
