using System.Reflection;
using LlmProxy.Core.Caching;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Providers.Resilience;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core.Status;

/// <summary>
/// Reports version, uptime, which vendors have keys, whether the store and the queue answer, and the usage outbox's
/// backlog. Degraded when the store or queue does not answer or the outbox has not been able to deliver for a while.
/// </summary>
public sealed class StatusService(
    ProviderRegistry providers,
    IStoreLifecycle store,
    IUsageQueue queue,
    UsageOutbox outbox,
    IOptions<StoreOptions> storeOptions,
    HostInfo host,
    VendorHealth health,
    ResponseCache cache,
    TimeProvider clock)
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    public static string Version { get; } =
        typeof(StatusService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async Task<ProxyStatus> GetAsync(CancellationToken cancellationToken)
    {
        var storeUp = store.IsReachableAsync(cancellationToken);
        var queueUp = queue.IsReachableAsync(cancellationToken);
        var backlog = outbox.Backlog();
        var healthy = await storeUp.ConfigureAwait(false) & await queueUp.ConfigureAwait(false) & !outbox.IsDegraded(backlog);
        var now = clock.GetUtcNow();
        return new ProxyStatus
        {
            Status = healthy ? "ok" : "degraded",
            Version = Version,
            StartedAt = _startedAt,
            UptimeSeconds = (long)(now - _startedAt).TotalSeconds,
            Host = host.Kind == HostKind.Functions ? "functions" : "standalone",
            MockStandsInForUnconfiguredProviders = providers.MocksUnconfiguredProviders,
            Providers = providers.All.OrderBy(p => p.Name).Select(p =>
            {
                var (calls, errorRate) = health.Recent(p.Name);
                return new ProviderState(p.Name, p.IsConfigured, health.CircuitState(p.Name), calls, errorRate);
            }).ToList(),
            Store = new ComponentState(storeOptions.Value.Kind.ToString().ToLowerInvariant(), storeUp.Result),
            Queue = new ComponentState(queue.Kind, queueUp.Result),
            Outbox = new OutboxState(backlog.Events, backlog.OldestAge?.TotalSeconds, backlog.FailingFor?.TotalSeconds, outbox.IsAdmitting(backlog)),
            CacheHitRatio = cache.HitRatio,
        };
    }
}
