using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Infrastructure;

/// <summary>A contract test class: the Core services on a fresh store of the kind under test, with a fake clock.</summary>
public abstract class StoreTest(AzuriteFixture azurite, StoreKindUnderTest kind) : IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = CoreServices.Clock();

    protected CoreServices Core { get; private set; } = null!;

    protected StoreKindUnderTest Kind => kind;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Core = await CoreServices.StartAsync(TestStores.Settings(kind, azurite), Clock);

    public async ValueTask DisposeAsync() => await Core.DisposeAsync();
}
