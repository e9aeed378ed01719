using LlmProxy.Core.Caching;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Caching;

/// <summary>The response cache store contract: the same cases against SQLite and against Table Storage on Azurite.</summary>
public abstract class ResponseCacheStoreContractTests(AzuriteFixture azurite, StoreKindUnderTest kind) : StoreTest(azurite, kind)
{
    private IResponseCacheStore Cache => Core.Get<IResponseCacheStore>();

    private DateTimeOffset Now => Clock.GetUtcNow();

    private CacheEntry Entry(string tenant, string key, byte[] payload, TimeSpan ttl) => new(key, tenant, payload, Now, Now + ttl);

    private static byte[] Payload(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public void The_store_is_of_the_kind_under_test() =>
        Assert.IsType(Kind == StoreKindUnderTest.Tables ? typeof(TableResponseCacheStore) : typeof(SqliteResponseCacheStore), Cache);

    [Fact]
    public async Task A_stored_entry_comes_back_until_it_expires()
    {
        var entry = Entry("acme", "k1", Payload("{\"id\":\"chatcmpl-1\"}"), TimeSpan.FromMinutes(10));
        await Cache.SetAsync(entry, Ct);

        var read = await Cache.GetAsync("acme", "k1", Now, Ct);
        Assert.NotNull(read);
        Assert.Equal(entry.Payload, read.Payload);
        Assert.Equal((entry.Key, entry.TenantId, entry.CreatedAt, entry.ExpiresAt), (read.Key, read.TenantId, read.CreatedAt, read.ExpiresAt));

        Assert.NotNull(await Cache.GetAsync("acme", "k1", entry.ExpiresAt.AddSeconds(-1), Ct));
        Assert.Null(await Cache.GetAsync("acme", "k1", entry.ExpiresAt, Ct));
        Assert.Null(await Cache.GetAsync("acme", "missing", Now, Ct));
    }

    [Fact]
    public async Task A_second_set_replaces_the_entry_even_with_a_shorter_payload()
    {
        await Cache.SetAsync(Entry("acme", "k1", new byte[200 * 1024], TimeSpan.FromMinutes(1)), Ct);
        var replacement = Entry("acme", "k1", Payload("short"), TimeSpan.FromMinutes(30));
        await Cache.SetAsync(replacement, Ct);

        var read = await Cache.GetAsync("acme", "k1", Now.AddMinutes(5), Ct);
        Assert.Equal(Payload("short"), read?.Payload);
        Assert.Equal(replacement.ExpiresAt, read?.ExpiresAt);
    }

    [Fact]
    public async Task A_700_KiB_payload_round_trips_exactly()
    {
        var payload = new byte[700 * 1024];
        new Random(7).NextBytes(payload);
        await Cache.SetAsync(Entry("acme", "big", payload, TimeSpan.FromMinutes(10)), Ct);

        Assert.Equal(payload, (await Cache.GetAsync("acme", "big", Now, Ct))?.Payload);
    }

    [Fact]
    public async Task An_entry_is_not_found_under_another_tenant()
    {
        await Cache.SetAsync(Entry("acme", "k1", Payload("acme's answer"), TimeSpan.FromMinutes(10)), Ct);

        Assert.Null(await Cache.GetAsync("globex", "k1", Now, Ct));
        Assert.NotNull(await Cache.GetAsync("acme", "k1", Now, Ct));
    }

    [Fact]
    public async Task Purging_deletes_expired_entries_only()
    {
        await Cache.SetAsync(Entry("acme", "old1", Payload("a"), TimeSpan.FromMinutes(1)), Ct);
        await Cache.SetAsync(Entry("globex", "old2", Payload("b"), TimeSpan.FromMinutes(2)), Ct);
        await Cache.SetAsync(Entry("acme", "fresh", Payload("c"), TimeSpan.FromHours(1)), Ct);

        Assert.Equal(2, await Cache.PurgeExpiredAsync(Now.AddMinutes(2), Ct));
        Assert.Equal(0, await Cache.PurgeExpiredAsync(Now.AddMinutes(2), Ct));

        // Read at a time before the purged entries expired: they are gone, not merely hidden.
        Assert.Null(await Cache.GetAsync("acme", "old1", Now, Ct));
        Assert.Null(await Cache.GetAsync("globex", "old2", Now, Ct));
        Assert.NotNull(await Cache.GetAsync("acme", "fresh", Now, Ct));
    }
}

public sealed class SqliteResponseCacheStoreContractTests(AzuriteFixture azurite) : ResponseCacheStoreContractTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TableResponseCacheStoreContractTests(AzuriteFixture azurite) : ResponseCacheStoreContractTests(azurite, StoreKindUnderTest.Tables);
