using LlmProxy.Core;
using LlmProxy.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Infrastructure;

public enum StoreKindUnderTest { Sqlite, Tables }

/// <summary>Settings that point the proxy at a fresh store of either kind.</summary>
public static class TestStores
{
    /// <summary>A new, empty store: a new table on Azurite, or (SQLite) the host's own database file.</summary>
    public static Dictionary<string, string?> Settings(StoreKindUnderTest kind, AzuriteFixture azurite) => kind switch
    {
        StoreKindUnderTest.Tables => new()
        {
            ["LlmProxy:Store:Kind"] = "Tables",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["LlmProxy:Store:TableName"] = AzuriteFixture.NewTableName(),
            ["LlmProxy:Store:KeysTableName"] = AzuriteFixture.NewTableName(),
            ["LlmProxy:Store:CacheTableName"] = AzuriteFixture.NewTableName(),
            ["LlmProxy:Store:RequestLogTableName"] = AzuriteFixture.NewTableName(),
        },
        _ => new() { ["LlmProxy:Store:Kind"] = "Sqlite" },
    };
}

/// <summary>The Core services on a store of either kind, with a fake clock, without a host around them.</summary>
public sealed class CoreServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly TempDirectory _directory;

    private CoreServices(ServiceProvider provider, TempDirectory directory)
    {
        _provider = provider;
        _directory = directory;
    }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public static async Task<CoreServices> StartAsync(IDictionary<string, string?> settings, TimeProvider clock)
    {
        var directory = new TempDirectory();
        var values = new Dictionary<string, string?> { ["LlmProxy:Store:SqlitePath"] = Path.Combine(directory.Path, "store.db") };
        foreach (var (key, value) in settings) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(clock);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLlmProxyCore(configuration, HostKind.Standalone);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IStoreLifecycle>().InitializeAsync(TestContext.Current.CancellationToken);
        if (provider.GetService<AuxiliaryTablesInitializer>() is { } tables) await tables.StartAsync(TestContext.Current.CancellationToken);
        return new CoreServices(provider, directory);
    }

    public static FakeTimeProvider Clock(DateTimeOffset? start = null) => new(start ?? new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero));

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _directory.Dispose();
    }
}
