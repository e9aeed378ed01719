using LlmProxy.Core.Storage;
using Microsoft.Extensions.Hosting;

namespace LlmProxy.Core;

/// <summary>Applies migrations (or creates tables) before the app takes traffic.</summary>
public sealed class StoreInitializer(IStoreLifecycle store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
