using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Caching;
using LlmProxy.Core.Configuration;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlmProxy.Core;

public static class StoreRegistration
{
    /// <summary>
    /// The key, response-cache, request-log and dashboard-session stores of the configured kind. SQLite keeps them in the main database
    /// (its migrations create them); Table Storage gives each its own table, created at start-up.
    /// </summary>
    public static void AddAuxiliaryStores(this IServiceCollection services, StoreKind kind)
    {
        if (kind == StoreKind.Tables)
        {
            AddTableStore<IApiKeyStore, TableApiKeyStore>(services);
            AddTableStore<IResponseCacheStore, TableResponseCacheStore>(services);
            AddTableStore<IRequestLogStore, TableRequestLogStore>(services);
            AddTableStore<IAdminSessionStore, TableAdminSessionStore>(services);
            services.AddSingleton<AuxiliaryTablesInitializer>();
            services.AddHostedService(sp => sp.GetRequiredService<AuxiliaryTablesInitializer>());
        }
        else
        {
            services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
            services.AddSingleton<IResponseCacheStore, SqliteResponseCacheStore>();
            services.AddSingleton<IRequestLogStore, SqliteRequestLogStore>();
            services.AddSingleton<IAdminSessionStore, SqliteAdminSessionStore>();
        }
    }

    private static void AddTableStore<TService, TStore>(IServiceCollection services)
        where TService : class
        where TStore : TableBackedStore, TService
    {
        services.AddSingleton<TStore>();
        services.AddSingleton<TService>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<TableBackedStore>(sp => sp.GetRequiredService<TStore>());
    }
}

/// <summary>Creates the tables of the key, cache and log stores before the app takes traffic.</summary>
public sealed class AuxiliaryTablesInitializer(IEnumerable<TableBackedStore> stores) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var store in stores) await store.CreateTableAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
