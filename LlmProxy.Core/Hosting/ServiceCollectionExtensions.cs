using LlmProxy.Core.Admin;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Providers.Mock;
using LlmProxy.Core.Providers.OpenAI;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Status;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the proxy does, for either host. Settings are validated when the host starts.</summary>
    public static IServiceCollection AddLlmProxyCore(this IServiceCollection services, IConfiguration configuration, HostKind hostKind)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProxyOptions.Section))
            .Validate(o => o.Providers.Values.All(p => p.TimeoutSeconds is >= 1 and <= 3600 && p.ChunkDelayMs is >= 0 and <= 10_000),
                "LlmProxy:Providers:*:TimeoutSeconds must be 1-3600 and ChunkDelayMs 0-10000.")
            .Validate(o => o.Providers.Values.All(p => p.BaseUrl is null || p.BaseUrl.Scheme is "http" or "https"),
                "LlmProxy:Providers:*:BaseUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UsageQueueOptions>().Bind(configuration.GetSection(UsageQueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new HostInfo(hostKind));
        services.AddSingleton<TokenEstimator>();

        // Vendors. Streams can run for minutes, so the client itself never times out; VendorHttp bounds the wait
        // for the first byte per vendor.
        services.AddSingleton<VendorHttp>();
        foreach (var name in new[] { OpenAIProvider.ProviderName })
            services.AddHttpClient(VendorHttp.ClientName(name), c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IChatProvider, MockProvider>();
        services.AddSingleton<IChatProvider, OpenAIProvider>();
        services.AddSingleton<ProviderRegistry>();

        services.AddSingleton<AzureStorageClients>();
        if (configuration.GetSection(StoreOptions.Section).Get<StoreOptions>()?.Kind == StoreKind.Tables)
            AddStore<TableStore>(services);
        else
        {
            services.AddSingleton<SqliteConnectionFactory>();
            AddStore<SqliteStore>(services);
        }
        services.AddHostedService<StoreInitializer>();

        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<PoisonReplayer>();
        var queueKind = configuration.GetSection(UsageQueueOptions.Section).Get<UsageQueueOptions>()?.Kind
            ?? (hostKind == HostKind.Functions ? UsageQueueKind.StorageQueue : UsageQueueKind.InProcess);
        if (queueKind == UsageQueueKind.StorageQueue)
        {
            services.AddSingleton<IUsageQueue, StorageUsageQueue>();
            // Under the Functions host the RecordUsage trigger reads the queue.
            if (hostKind == HostKind.Standalone) services.AddHostedService<StorageQueueConsumer>();
        }
        else
        {
            services.AddSingleton<ChannelUsageQueue>();
            services.AddSingleton<IUsageQueue>(sp => sp.GetRequiredService<ChannelUsageQueue>());
            services.AddHostedService<InProcessUsageConsumer>();
        }

        services.AddSingleton<QuotaLimits>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<QuotaService>();
        services.AddSingleton<UsagePublisher>();
        services.AddSingleton<AdminKeyCheck>();
        services.AddSingleton<AdminService>();
        services.AddSingleton<QuotaPeriodResetter>();
        services.AddSingleton<RequestValidator>();
        services.AddSingleton<RequestReader>();
        services.AddSingleton<ProxyService>();
        services.AddSingleton<StatusService>();
        return services;
    }

    private static void AddStore<TStore>(IServiceCollection services)
        where TStore : class, IUsageStore, IQuotaStore, IRateLimitStore, IStoreLifecycle
    {
        services.AddSingleton<TStore>();
        services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IQuotaStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IStoreLifecycle>(sp => sp.GetRequiredService<TStore>());
    }
}
