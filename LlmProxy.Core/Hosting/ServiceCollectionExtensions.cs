using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Caching;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.Cors;
using LlmProxy.Core.Embeddings;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Providers.Anthropic;
using LlmProxy.Core.Providers.AzureOpenAI;
using LlmProxy.Core.Providers.Cohere;
using LlmProxy.Core.Providers.DeepSeek;
using LlmProxy.Core.Providers.Gemini;
using LlmProxy.Core.Providers.Images;
using LlmProxy.Core.Providers.Mistral;
using LlmProxy.Core.Providers.Mock;
using LlmProxy.Core.Providers.OpenAI;
using LlmProxy.Core.Providers.Resilience;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Proxy.Fallbacks;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Status;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Core.Usage;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the proxy does, for either host. Settings are validated when the host starts.</summary>
    public static IServiceCollection AddLlmProxyCore(this IServiceCollection services, IConfiguration configuration, HostKind hostKind)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProxyOptions.Section))
            .PostConfigure(KeyVaultReferences.ClearUnresolvedApiKeys)
            .Validate(o => o.Providers.Values.All(p => p.TimeoutSeconds is >= 1 and <= 3600 && p.TotalTimeoutSeconds is >= 1 and <= 86_400 && p.ChunkDelayMs is >= 0 and <= 10_000),
                "LlmProxy:Providers:*:TimeoutSeconds must be 1-3600, TotalTimeoutSeconds 1-86400 and ChunkDelayMs 0-10000.")
            .Validate(o => o.Providers.Values.All(p => p.BaseUrl is null || p.BaseUrl.Scheme is "http" or "https"),
                "LlmProxy:Providers:*:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.Providers.Values.All(p => p.ApiVersion is null || ApiVersions.IsDated(p.ApiVersion)),
                "LlmProxy:Providers:*:ApiVersion must be a dated API version such as 2024-10-21 or 2025-04-01-preview.")
            .ValidateOnStart();
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UsageQueueOptions>().Bind(configuration.GetSection(UsageQueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.Section))
            .Validate(o => o.AllowedOrigins.All(CorsOptions.IsValidEntry),
                "LlmProxy:Cors:AllowedOrigins entries must be '*' or origins such as https://app.example.com (scheme, host, port; no path).")
            .ValidateOnStart();
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new HostInfo(hostKind));
        services.AddSingleton<TokenEstimator>();

        // Vendors: one resilient named client each, so every vendor has its own circuit.
        services.AddOptions<VendorResilienceOptions>().Bind(configuration.GetSection(VendorResilienceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<VendorHealth>();
        services.AddSingleton<VendorHttp>();
        foreach (var name in new[] { OpenAIProvider.ProviderName, AnthropicProvider.ProviderName, GeminiProvider.ProviderName,
                     CohereProvider.ProviderName, MistralProvider.ProviderName, DeepSeekProvider.ProviderName, AzureOpenAIProvider.ProviderName })
            services.AddVendorClient(name);
        services.AddSingleton<IChatProvider, MockProvider>();
        services.AddSingleton<IChatProvider, OpenAIProvider>();
        services.AddSingleton<IChatProvider, AnthropicProvider>();
        services.AddSingleton<IChatProvider, GeminiProvider>();
        services.AddSingleton<IChatProvider, CohereProvider>();
        services.AddSingleton<IChatProvider, MistralProvider>();
        services.AddSingleton<IChatProvider, DeepSeekProvider>();
        // Azure OpenAI without a key signs in with the app's identity (DefaultAzureCredential reads AZURE_CLIENT_ID for a user-assigned one).
        services.TryAddSingleton(sp => new EntraTokens(new DefaultAzureCredential(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EntraTokens>>()));
        services.AddSingleton<IChatProvider, AzureOpenAIProvider>();

        // Model catalog (prices, vision) and the guarded fetcher for image URLs that vendors need inline.
        services.AddOptions<ModelCatalogOptions>().Bind(configuration.GetSection(ModelCatalogOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelCatalogOptions>, ModelCatalogOptionsValidator>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<CatalogRules>();
        services.AddSingleton<ModelNames>();
        services.AddSingleton<ModelListing>();
        services.AddOptions<ImageOptions>().Bind(configuration.GetSection(ImageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(ImageFetcher.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => ImageFetcher.CreateHandler(sp.GetRequiredService<IOptions<ImageOptions>>()));
        services.AddSingleton<ImageFetcher>();
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
            services.AddSingleton<IUsageQueue, InProcessUsageQueue>();
        services.AddOptions<UsageOutboxOptions>().Bind(configuration.GetSection(UsageOutboxOptions.Section)).ValidateDataAnnotations()
            .Validate<IOptions<QuotaOptions>>((outbox, quota) => outbox.MaxAgeSeconds < quota.Value.ReservationTtlSeconds,
                "LlmProxy:UsageOutbox:MaxAgeSeconds must be below LlmProxy:Quota:ReservationTtlSeconds, so no call is admitted while a waiting event's reservation could lapse.")
            .ValidateOnStart();
        services.AddSingleton<UsageOutbox>();
        // After the store's initializer: events a previous process left in the outbox are delivered at start-up.
        services.AddHostedService<UsageOutboxRelay>();

        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuxiliaryStores(configuration.GetSection(StoreOptions.Section).Get<StoreOptions>()?.Kind ?? StoreKind.Sqlite);
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<CallerAuthenticator>();
        services.AddOptions<EndUserTokenOptions>().Bind(configuration.GetSection(EndUserTokenOptions.Section))
            .PostConfigure(EndUserTokenOptions.ClearUnresolvedKeys).ValidateDataAnnotations()
            .Validate(EndUserTokenOptions.IsValid, $"LlmProxy:EndUserTokens: SigningKey and PreviousSigningKey must be at least {EndUserTokenOptions.MinSigningKeyLength} characters and differ, and DefaultLifetimeSeconds at most MaxLifetimeSeconds.")
            .ValidateOnStart();
        services.AddSingleton<EndUserTokenSigner>();
        services.AddSingleton<EndUserTokenService>();
        services.AddOptions<PublishableKeyOptions>().Bind(configuration.GetSection(PublishableKeyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PublishableKeyGate>();

        services.AddOptions<ResponseCacheOptions>().Bind(configuration.GetSection(ResponseCacheOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ResponseCache>();
        services.AddOptions<RequestLogOptions>().Bind(configuration.GetSection(RequestLogOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RequestLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<RequestLogWriter>());
        services.AddSingleton<RequestLogRecorder>();
        services.AddSingleton<Housekeeping>();

        services.AddSingleton<QuotaLimits>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<QuotaService>();
        services.AddSingleton<Admission>();
        services.AddSingleton<CallBounds>();
        services.AddSingleton<CallAdmission>();
        services.AddSingleton<UsagePublisher>();
        services.AddSingleton<AdminKeyCheck>();
        services.AddSingleton<AdminService>();
        services.AddSingleton<DashboardService>();
        services.AddSingleton<AdminSignInThrottle>();
        services.AddSingleton<AdminSessions>();
        services.AddSingleton<AdminSessionRevocations>();
        services.AddSingleton<AdminGate>();
        services.AddSingleton<QuotaPeriodResetter>();
        services.AddSingleton<RequestValidator>();
        services.AddSingleton<RequestReader>();
        services.AddOptions<FallbackOptions>().Bind(configuration.GetSection(FallbackOptions.Section))
            .Validate(o => o.Rules.All(r => r.From.Contains('/') && r.To.All(t => t.Contains('/'))), "LlmProxy:Fallbacks:Rules:*: From and every To must be \"provider/model\".")
            .ValidateOnStart();
        services.AddSingleton<FallbackRoutes>();
        services.AddSingleton<ProxyService>();
        services.AddSingleton<EmbeddingReader>();
        services.AddSingleton<EmbeddingService>();
        services.AddSingleton<StatusService>();
        services.AddSingleton<CorsPolicy>();
        return services;
    }

    private static void AddStore<TStore>(IServiceCollection services)
        where TStore : class, IUsageStore, IQuotaStore, IRateLimitStore, IStoreLifecycle, IQuotaAuditStore
    {
        services.AddSingleton<IQuotaAuditStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<TStore>();
        services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IQuotaStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IStoreLifecycle>(sp => sp.GetRequiredService<TStore>());
    }
}
