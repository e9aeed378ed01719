using LlmProxy.Core.Configuration;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.RequestLog;

public sealed class SqliteRequestLogStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private SqliteRequestLogStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        var connections = new SqliteConnectionFactory(Options.Create(new StoreOptions { SqlitePath = Path.Combine(_directory.Path, "log.db") }));
        await new SqliteStore(connections, new FakeTimeProvider()).InitializeAsync(TestContext.Current.CancellationToken);
        _store = new SqliteRequestLogStore(connections);
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static RequestLogEntry Entry(string id, string tenant, string user, string status, bool cached, int minutes) => new()
    {
        Id = id, TenantId = tenant, UserId = user, Provider = "openai", Model = "gpt-4o-mini", Status = status,
        HttpStatus = status == "ok" ? 200 : 502, Cached = cached, PromptTokens = 3, CompletionTokens = 4, LatencyMs = 12,
        TimeToFirstTokenMs = 5, VendorRequestId = "req_" + id, RequestBody = "[{\"role\":\"user\",\"content\":\"hi\"}]",
        ResponseBody = "hello", Timestamp = T0.AddMinutes(minutes),
    };

    [Fact]
    public async Task Entries_are_queryable_by_tenant_user_status_cached_and_time_newest_first_without_bodies()
    {
        var ct = TestContext.Current.CancellationToken;
        await _store.AddAsync(Entry("a", "acme", "ana", "ok", false, 0), ct);
        await _store.AddAsync(Entry("b", "acme", "bob", "vendor_error", false, 1), ct);
        await _store.AddAsync(Entry("c", "acme", "ana", "ok", true, 2), ct);
        await _store.AddAsync(Entry("d", "globex", "ana", "ok", false, 3), ct);
        await _store.AddAsync(Entry("d", "globex", "ana", "ok", false, 3), ct); // a repeat changes nothing

        Assert.Equal(["c", "b", "a"], (await _store.QueryAsync(new RequestLogQuery { TenantId = "acme" }, ct)).Select(e => e.Id));
        Assert.Equal(["c", "a"], (await _store.QueryAsync(new RequestLogQuery { TenantId = "acme", UserId = "ana" }, ct)).Select(e => e.Id));
        Assert.Equal(["b"], (await _store.QueryAsync(new RequestLogQuery { Status = "vendor_error" }, ct)).Select(e => e.Id));
        Assert.Equal(["c"], (await _store.QueryAsync(new RequestLogQuery { Cached = true }, ct)).Select(e => e.Id));
        Assert.Equal(["c", "b"], (await _store.QueryAsync(new RequestLogQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }, ct)).Select(e => e.Id));
        Assert.All(await _store.QueryAsync(new RequestLogQuery(), ct), e => Assert.Null(e.RequestBody));
    }

    [Fact]
    public async Task One_entry_comes_back_whole_and_old_entries_are_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await _store.AddAsync(Entry("a", "acme", "ana", "ok", false, 0), ct);
        await _store.AddAsync(Entry("b", "acme", "ana", "ok", false, 60), ct);

        var whole = await _store.GetAsync("a", ct);
        Assert.Equal(Entry("a", "acme", "ana", "ok", false, 0), whole);

        Assert.Equal(1, await _store.DeleteOlderThanAsync(T0.AddMinutes(30), ct));
        Assert.Null(await _store.GetAsync("a", ct));
        Assert.NotNull(await _store.GetAsync("b", ct));
    }
}
