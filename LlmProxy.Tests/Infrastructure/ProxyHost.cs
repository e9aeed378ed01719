using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Usage;
using LlmProxy.Functions.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>
/// The standalone host, started in-process on a free loopback port with its own SQLite file, exactly as
/// <c>dotnet run</c> starts it but for the settings a test passes.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _ownDirectory;

    private ProxyHost(WebApplication app, Uri baseAddress, string dataDirectory, TempDirectory? ownDirectory)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownDirectory = ownDirectory;
        Client = new HttpClient(new TenantKeyHandler(this)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        AnonymousClient = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    /// <summary>
    /// A client that authenticates as the tenant each request names (the seed body's or the query's <c>tenantId</c>,
    /// <see cref="DefaultTenant"/> otherwise) with a real tenant key created through <see cref="ApiKeyService"/>, unless
    /// the request already carries a key.
    /// </summary>
    public HttpClient Client { get; }

    /// <summary>A client that sends no key of its own.</summary>
    public HttpClient AnonymousClient { get; }

    public const string DefaultTenant = "default";

    private readonly ConcurrentDictionary<string, Task<string>> _keys = new();

    /// <summary>A tenant key for <paramref name="tenantId"/>, created once per host.</summary>
    public Task<string> KeyForAsync(string tenantId) =>
        _keys.GetOrAdd(tenantId, async tenant =>
            (await Services.GetRequiredService<ApiKeyService>().CreateAsync(tenant, "test", CancellationToken.None)).Key);
    public string DataDirectory { get; }
    public IServiceProvider Services => _app.Services;
    public string DatabasePath => Path.Combine(DataDirectory, "proxy.db");

    public UsageRecorder Recorder => Services.GetRequiredService<UsageRecorder>();

    /// <summary>An admin key for tests that need one (long enough for the start-up check).</summary>
    public const string TestAdminKey = "test-admin-key-0123456789abcdef0123456789";

    /// <summary>The operator's status report: the host must have an admin key set.</summary>
    public async Task<JsonObject> OperatorStatusAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/llm-proxy/status");
        request.Headers.Add(AdminKeyCheck.Header, Services.GetRequiredService<IOptionsMonitor<AdminOptions>>().CurrentValue.ApiKey);
        using var response = await AnonymousClient.SendAsync(request, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
    }

    /// <param name="settings">Configuration keys in ':' form, e.g. <c>LlmProxy:Providers:openai:ApiKey</c>.</param>
    /// <param name="dataDirectory">Reuse a data directory (to restart on the same database); a new temporary one otherwise.</param>
    public static async Task<ProxyHost> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null,
        Action<WebApplicationBuilder>? configure = null, string environment = "Production")
    {
        var own = dataDirectory is null ? new TempDirectory() : null;
        var directory = dataDirectory ?? own!.Path;
        var values = new Dictionary<string, string?>
        {
            ["LlmProxy:Store:SqlitePath"] = Path.Combine(directory, "proxy.db"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        // On the command line, as a user would pass them, so that they are there before the services are
        // registered (the store and queue kinds decide which services exist).
        var args = new List<string> { StandaloneHost.Flag, "--urls", "http://127.0.0.1:0", "--environment", environment };
        foreach (var (key, value) in values) args.AddRange(["--" + key, value ?? ""]);
        var app = StandaloneHost.Build([.. args], configure);
        using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(startTimeout.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ProxyHost(app, new Uri(address), directory, own);
    }

    /// <summary>Waits until the recorder has handled <paramref name="count"/> events, or fails after 30 s.</summary>
    public Task WhenUsageHandledAsync(long count) =>
        Recorder.WhenHandledAsync(count, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        AnonymousClient.Dispose();
        await _app.DisposeAsync();
        _ownDirectory?.Dispose();
    }
}

public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("llmproxy-test-").FullName;

    public void Dispose()
    {
        // Only this directory's pools: ClearAllPools would also reclaim connections that tests running in
        // parallel are opening at that moment, and dispose their native handles (dotnet/efcore#39008).
        foreach (var database in Directory.EnumerateFiles(Path, "*.db", SearchOption.AllDirectories))
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(LlmProxy.Core.Storage.Sqlite.SqliteConnectionFactory.ConnectionStringFor(database));
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        }
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
