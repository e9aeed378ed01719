using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.RequestLog;

/// <summary>The request log store contract: the same cases against SQLite and against Table Storage on Azurite.</summary>
public abstract class RequestLogStoreContractTests(AzuriteFixture azurite, StoreKindUnderTest kind) : StoreTest(azurite, kind)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private IRequestLogStore Log => Core.Get<IRequestLogStore>();

    private static RequestLogEntry Entry(string id, string tenant, string user, string status, bool cached, int minutes, string model = "gpt-4o-mini") => new()
    {
        Id = id, TenantId = tenant, UserId = user, Provider = model.StartsWith("claude", StringComparison.Ordinal) ? "anthropic" : "openai",
        Model = model, Status = status, HttpStatus = status == "ok" ? 200 : 502, Stream = minutes % 2 == 0, Cached = cached,
        PromptTokens = 3, CompletionTokens = 4, CachedPromptTokens = 2, CacheWriteTokens = 1, ReasoningTokens = 3, CostUsd = 0.0000125m, LatencyMs = 12, TimeToFirstTokenMs = 5, VendorRequestId = "req_" + id, KeyId = "key_" + id,
        Error = status == "ok" ? null : "vendor said no", RequestBody = "[{\"role\":\"user\",\"content\":\"hi\"}]",
        ResponseBody = "hello", Timestamp = T0.AddMinutes(minutes),
    };

    private async Task<IEnumerable<string>> IdsAsync(RequestLogQuery query) => (await Log.QueryAsync(query, Ct)).Select(e => e.Id);

    [Fact]
    public void The_store_is_of_the_kind_under_test() =>
        Assert.IsType(Kind == StoreKindUnderTest.Tables ? typeof(TableRequestLogStore) : typeof(SqliteRequestLogStore), Log);

    [Fact]
    public async Task Entries_are_queryable_by_every_filter_newest_first_without_bodies()
    {
        await Log.AddAsync(Entry("a", "acme", "ana", "ok", false, 0), Ct);
        await Log.AddAsync(Entry("b", "acme", "bob", "vendor_error", false, 1), Ct);
        await Log.AddAsync(Entry("c", "acme", "ana", "ok", true, 2, "claude-sonnet-4"), Ct);
        await Log.AddAsync(Entry("d", "globex", "ana", "ok", false, 3), Ct);

        Assert.Equal(["c", "b", "a"], await IdsAsync(new RequestLogQuery { TenantId = "acme" }));
        Assert.Equal(["d", "c", "b", "a"], await IdsAsync(new RequestLogQuery()));
        Assert.Equal(["c", "a"], await IdsAsync(new RequestLogQuery { TenantId = "acme", UserId = "ana" }));
        Assert.Equal(["d", "c", "a"], await IdsAsync(new RequestLogQuery { UserId = "ana" }));
        Assert.Equal(["b"], await IdsAsync(new RequestLogQuery { Status = "vendor_error" }));
        Assert.Equal(["c"], await IdsAsync(new RequestLogQuery { Cached = true }));
        Assert.Equal(["c"], await IdsAsync(new RequestLogQuery { Provider = "anthropic" }));
        Assert.Equal(["d", "b", "a"], await IdsAsync(new RequestLogQuery { Model = "gpt-4o-mini" }));
        Assert.Equal(["c", "b"], await IdsAsync(new RequestLogQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }));
        Assert.Equal(["c", "b"], await IdsAsync(new RequestLogQuery { TenantId = "acme", From = T0.AddMinutes(1), To = T0.AddMinutes(3) }));
        Assert.Equal(["b", "a"], await IdsAsync(new RequestLogQuery { TenantId = "acme", To = T0.AddMinutes(2) }));
        Assert.Equal(["d", "c"], await IdsAsync(new RequestLogQuery { Limit = 2 }));
        Assert.Equal(["c", "b"], await IdsAsync(new RequestLogQuery { TenantId = "acme", Limit = 2 }));
        Assert.Empty(await IdsAsync(new RequestLogQuery { TenantId = "initech" }));

        var all = await Log.QueryAsync(new RequestLogQuery(), Ct);
        Assert.All(all, e => Assert.Null(e.RequestBody));
        Assert.All(all, e => Assert.Null(e.ResponseBody));
        Assert.Equal(Entry("b", "acme", "bob", "vendor_error", false, 1) with { RequestBody = null, ResponseBody = null }, all.Single(e => e.Id == "b"));
    }

    [Fact]
    public async Task Adding_an_entry_again_changes_nothing()
    {
        await Log.AddAsync(Entry("a", "acme", "ana", "ok", false, 0), Ct);
        await Log.AddAsync(Entry("a", "acme", "ana", "ok", false, 0) with { ResponseBody = "changed" }, Ct);
        await Log.AddAsync(Entry("a", "acme", "ana", "ok", false, 7) with { ResponseBody = "moved" }, Ct);

        Assert.Equal(["a"], await IdsAsync(new RequestLogQuery()));
        Assert.Equal(Entry("a", "acme", "ana", "ok", false, 0), await Log.GetAsync("a", Ct));
    }

    [Fact]
    public async Task One_entry_comes_back_whole_and_old_entries_are_deleted()
    {
        await Log.AddAsync(Entry("a", "acme", "ana", "ok", false, 0), Ct);
        await Log.AddAsync(Entry("b", "globex", "ana", "ok", false, 60), Ct);
        var bare = Entry("c", "acme", "ana", "ok", false, 61) with
        {
            TimeToFirstTokenMs = null, VendorRequestId = null, RequestBody = null, ResponseBody = null,
        };
        await Log.AddAsync(bare, Ct);

        Assert.Equal(Entry("a", "acme", "ana", "ok", false, 0), await Log.GetAsync("a", Ct));
        Assert.Equal(bare, await Log.GetAsync("c", Ct));
        Assert.Null(await Log.GetAsync("missing", Ct));

        Assert.Equal(1, await Log.DeleteOlderThanAsync(T0.AddMinutes(30), Ct));
        Assert.Equal(0, await Log.DeleteOlderThanAsync(T0.AddMinutes(30), Ct));
        Assert.Null(await Log.GetAsync("a", Ct));
        Assert.NotNull(await Log.GetAsync("b", Ct));
        Assert.Equal(["c", "b"], await IdsAsync(new RequestLogQuery()));
    }

    [Fact]
    public async Task A_60_KiB_body_is_stored_cut_and_flagged()
    {
        var request = new string('x', 60 * 1024);
        // An emoji straddling the cut: the stored body must not end in half of it.
        var response = new string('y', StoredBodies.MaxChars - 1) + "😀" + "tail";
        await Log.AddAsync(Entry("big", "acme", "ana", "ok", false, 0) with { RequestBody = request, ResponseBody = response }, Ct);

        var stored = await Log.GetAsync("big", Ct);
        Assert.NotNull(stored);
        Assert.True(stored.BodiesTruncated);
        Assert.Equal(request[..StoredBodies.MaxChars], stored.RequestBody);
        Assert.Equal(response[..(StoredBodies.MaxChars - 1)], stored.ResponseBody);
        Assert.True((await Log.QueryAsync(new RequestLogQuery { TenantId = "acme" }, Ct)).Single().BodiesTruncated);
    }
}

public sealed class SqliteRequestLogStoreContractTests(AzuriteFixture azurite) : RequestLogStoreContractTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TableRequestLogStoreContractTests(AzuriteFixture azurite) : RequestLogStoreContractTests(azurite, StoreKindUnderTest.Tables);
