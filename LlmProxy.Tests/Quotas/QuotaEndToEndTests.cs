using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Core.Storage.Sqlite;
using LlmProxy.Core.Storage.Tables;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Quotas;

/// <summary>Quotas and rate limits through the front door, on SQLite and on Table Storage (Azurite).</summary>
public abstract class QuotaEndToEndTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private const string AdminKey = "quota-test-admin-key-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        // These tests send the same request many times and count what the quota admits: answers from the response
        // cache would (rightly) use no tokens and blur the count.
        settings["LlmProxy:Cache:Enabled"] = "false";
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    internal static StringContent Seed(string tenant, string user, string provider = "mock", string model = "echo", int? maxTokens = null) =>
        new($$"""
            {"provider":"{{provider}}","model":"{{model}}","tenantId":"{{tenant}}","userId":"{{user}}",
             {{(maxTokens is { } m ? $"\"max_tokens\":{m}," : "")}}"messages":[{"role":"user","content":"Count these tokens exactly"}]}
            """, Encoding.UTF8, "application/json");

    private static Action<WebApplicationBuilder> WithClock(TimeProvider clock) => b => b.Services.AddSingleton(clock);

    [Fact]
    public async Task Fifty_concurrent_calls_against_a_quota_for_ten_admit_ten_and_record_what_the_vendor_reported()
    {
        const int maxTokens = 7;
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(
            ("LlmProxy:Providers:openai:ApiKey", FakeOpenAIVendor.Key),
            ("LlmProxy:Providers:openai:BaseUrl", vendor.ProxyBaseUrl.ToString()),
            ("LlmProxy:Quota:RequestsPerMinutePerUser", "0")));
        Assert.IsType(kind == StoreKindUnderTest.Tables ? typeof(TableStore) : typeof(SqliteStore), host.Services.GetRequiredService<IQuotaStore>());

        // The vendor reports exactly what admission reserves: the call's bound.
        var body = await Seed("acme", "ana", "openai", "gpt-4o-mini", maxTokens).ReadAsByteArrayAsync(Ct);
        var call = host.Services.GetRequiredService<CatalogRules>().Apply(host.Services.GetRequiredService<RequestReader>().ReadSeed(body, new CallerIdentity("acme", "test")));
        var estimate = host.Services.GetRequiredService<CallBounds>().For(call).Total;
        vendor.PromptTokens = (int)estimate - maxTokens;
        vendor.CompletionTokens = maxTokens;
        await host.Services.GetRequiredService<IQuotaStore>().SetOverrideAsync(QuotaScope.User("acme", "ana"), new QuotaOverride(10 * estimate, null), Ct);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana", "openai", "gpt-4o-mini", maxTokens), Ct)));

        var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: quota fits 10 calls of {estimate} tokens; admitted {admitted.Count} of 50, refused {refused.Count}");
        Assert.Equal(10, admitted.Count);
        Assert.Equal(40, refused.Count);
        foreach (var response in refused)
        {
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
            Assert.Equal("insufficient_quota", error["type"]!.GetValue<string>());
            Assert.Null(response.Headers.RetryAfter);
            Assert.True(long.Parse(response.Headers.GetValues("X-Quota-Remaining").Single(), CultureInfo.InvariantCulture) < estimate);
        }
        long reported = 0;
        foreach (var response in admitted)
            reported += JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["usage"]!["total_tokens"]!.GetValue<long>();

        await host.WhenUsageHandledAsync(10);
        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync("acme", "ana", Ct);
        Assert.Equal((10 * estimate, 0L, 0L), (status.Used, status.Reserved, status.Remaining!.Value));
        Assert.Equal(reported, status.Used);
        var period = host.Services.GetRequiredService<QuotaService>().CurrentPeriod();
        var recorded = await host.Services.GetRequiredService<IUsageStore>().AggregateAsync(new UsageQuery("acme", null, period.Start, period.End), Ct);
        Assert.Equal((10L, reported), (recorded.Sum(r => r.Requests), recorded.Sum(r => r.TotalTokens)));
    }

    [Fact]
    public async Task A_call_the_vendor_fails_releases_its_reservation()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        vendor.Failure = (500, "The server had an error.", null);
        await using var host = await ProxyHost.StartAsync(Settings(
            ("LlmProxy:Providers:openai:ApiKey", FakeOpenAIVendor.Key),
            ("LlmProxy:Providers:openai:BaseUrl", vendor.ProxyBaseUrl.ToString()),
            ("LlmProxy:Quota:DefaultUserTokens", "1000"),
            ("LlmProxy:Quota:DefaultMaxTokens", "800")));

        var failed = await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana", "openai", "gpt-4o-mini"), Ct);
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        await host.WhenUsageHandledAsync(1);

        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync("acme", "ana", Ct);
        Assert.Equal((0L, 0L, 1000L), (status.Used, status.Reserved, status.Remaining!.Value));
        // The freed tokens admit the next call, which needs 800 + its prompt bound of the 1000.
        vendor.Failure = null;
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana", "openai", "gpt-4o-mini"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Rate_limited_calls_get_429_with_retry_after_and_every_answer_carries_the_window()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero));
        await using var host = await ProxyHost.StartAsync(Settings(("LlmProxy:Quota:RequestsPerMinutePerUser", "3")), configure: WithClock(clock));
        var reset = new DateTimeOffset(2026, 11, 20, 10, 1, 0, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        for (var remaining = 2; remaining >= 0; remaining--)
        {
            var ok = await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(("3", remaining.ToString(CultureInfo.InvariantCulture), reset), Window(ok));
        }

        var refused = await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter!.Delta);
        Assert.Equal(("3", "0", reset), Window(refused));
        Assert.Equal("rate_limit_exceeded", JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        // Another user has a window of its own.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "bob"), Ct)).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Quota_endpoint_shows_limit_used_reserved_remaining_period_and_rate_window_for_tenant_and_user()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero));
        await using var host = await ProxyHost.StartAsync(Settings(
            ("LlmProxy:Quota:DefaultTenantTokens", "50000"), ("LlmProxy:Quota:RequestsPerMinutePerTenant", "100")), configure: WithClock(clock));
        var answer = await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct);
        var used = JsonNode.Parse(await answer.Content.ReadAsStringAsync(Ct))!["usage"]!["total_tokens"]!.GetValue<long>();
        await host.WhenUsageHandledAsync(1);

        var quota = (await host.Client.GetFromJsonAsync<JsonObject>("/api/quota?tenantId=acme&userId=ana", Ct))!;

        Assert.Equal(100_000, quota["limit"]!.GetValue<long>());
        Assert.Equal(used, quota["used"]!.GetValue<long>());
        Assert.Equal(0, quota["reserved"]!.GetValue<long>());
        Assert.Equal(100_000 - used, quota["remaining"]!.GetValue<long>());
        Assert.Equal("Monthly", quota["periodKind"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), quota["periodStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), quota["periodEnd"]!.GetValue<DateTimeOffset>());
        Assert.Equal((10, 9), (quota["rateLimit"]!["limit"]!.GetValue<int>(), quota["rateLimit"]!["remaining"]!.GetValue<int>()));
        var tenant = quota["tenant"]!;
        Assert.Equal((50_000L, used, 50_000 - used), (tenant["limit"]!.GetValue<long>(), tenant["used"]!.GetValue<long>(), tenant["remaining"]!.GetValue<long>()));
        Assert.Equal((100, 99), (tenant["rateLimit"]!["limit"]!.GetValue<int>(), tenant["rateLimit"]!["remaining"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Admin_api_needs_the_key_sets_overrides_and_reports_usage_by_day()
    {
        // A fixed clock keeps the three calls below in one rate window.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero));
        await using var host = await ProxyHost.StartAsync(Settings(), configure: WithClock(clock));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/admin/quotas?tenantId=acme", Ct)).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/admin/quotas?tenantId=acme") { Headers = { { AdminKeyCheck.Header, "nope" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(wrong, Ct)).StatusCode);
        host.Client.DefaultRequestHeaders.Add(AdminKeyCheck.Header, AdminKey);

        var set = await host.Client.PutAsync("/api/admin/quotas?tenantId=acme&userId=ana",
            new StringContent("""{"tokenLimit":12345,"requestsPerMinute":2}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var view = JsonNode.Parse(await set.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal((12345L, 2), (view["effective"]!["tokenLimit"]!.GetValue<long>(), view["effective"]!["requestsPerMinute"]!.GetValue<int>()));
        var tenantView = (await host.Client.GetFromJsonAsync<JsonObject>("/api/admin/quotas?tenantId=acme", Ct))!;
        Assert.Null(tenantView["override"]);

        var quota = (await host.Client.GetFromJsonAsync<JsonObject>("/api/quota?tenantId=acme&userId=ana", Ct))!;
        Assert.Equal(12345, quota["limit"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.Client.PostAsync("/api/llm-proxy", Seed("acme", "ana"), Ct)).StatusCode);
        await host.WhenUsageHandledAsync(2);

        var usage = (await host.Client.GetFromJsonAsync<JsonObject>("/api/admin/usage?tenantId=acme", Ct))!;
        var row = Assert.Single(usage["rows"]!.AsArray())!;
        Assert.Equal(("acme", "ana", "mock", "echo", 2L), (row["tenantId"]!.GetValue<string>(), row["userId"]!.GetValue<string>(),
            row["provider"]!.GetValue<string>(), row["model"]!.GetValue<string>(), row["requests"]!.GetValue<long>()));
        Assert.Equal("2026-11-20", row["day"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/admin/usage?tenantId=a%2Fb", Ct)).StatusCode);
    }

    private static (string, string, string) Window(HttpResponseMessage response) =>
        (response.Headers.GetValues("X-RateLimit-Limit").Single(), response.Headers.GetValues("X-RateLimit-Remaining").Single(),
         response.Headers.GetValues("X-RateLimit-Reset").Single());
}

public sealed class SqliteQuotaEndToEndTests(AzuriteFixture azurite) : QuotaEndToEndTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesQuotaEndToEndTests(AzuriteFixture azurite) : QuotaEndToEndTests(azurite, StoreKindUnderTest.Tables);

/// <summary>Two standalone hosts on one Azurite share one request count.</summary>
public sealed class TwoHostRateLimitTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_hosts_on_one_Azurite_admit_ten_per_minute_not_twenty()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero));
        var settings = TestStores.Settings(StoreKindUnderTest.Tables, azurite);
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "10";
        await using var first = await ProxyHost.StartAsync(settings, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        await using var second = await ProxyHost.StartAsync(settings, configure: b => b.Services.AddSingleton<TimeProvider>(clock));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? first : second).Client.PostAsync("/api/llm-proxy", QuotaEndToEndTests.Seed("acme", "ana"), ct)));

        TestContext.Current.TestOutputHelper?.WriteLine($"two hosts, limit 10/min: admitted {responses.Count(r => r.StatusCode == HttpStatusCode.OK)} of 20");
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }
}
