using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// Money budgets through the front door, on SQLite and on Table Storage (Azurite): a call reserves its bound at the
/// model's highest prices and settles at what the vendor's reported usage costs, so a budget is never overshot.
/// </summary>
public abstract class MoneyBudgetTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private const string AdminKey = "money-test-admin-key-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Round prices (USD per million tokens) so that the figures below can be checked by hand: a prompt token costs
    // $0.001 (a cached one $0.0005) and an output token $0.002.
    private const decimal InputPrice = 1000m, CachedPrice = 500m, OutputPrice = 2000m;

    private Dictionary<string, string?> Settings(FakeVendor vendor, params (string Key, string? Value)[] extra)
    {
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        settings["LlmProxy:Cache:Enabled"] = "false";
        settings["LlmProxy:Quota:DefaultUserTokens"] = "0";
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key;
        settings["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString();
        settings["LlmProxy:Models:openai:gpt-4o-mini:InputPricePerMillion"] = InputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:CachedInputPricePerMillion"] = CachedPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:OutputPricePerMillion"] = OutputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:PricesAsOf"] = "2026-11-28";
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    private static StringContent Seed(string user, string model = "gpt-4o-mini", int maxTokens = 7) =>
        QuotaEndToEndTests.Seed("acme", user, "openai", model, maxTokens);

    private static decimal Cost(int prompt, int cached, int completion) =>
        ((prompt - cached) * InputPrice + cached * CachedPrice + completion * OutputPrice) / 1_000_000m;

    /// <summary>What admission reserves for the call: its bound, once the catalog has set its output budget.</summary>
    private static async Task<CallBound> BoundOfAsync(ProxyHost host, string user) =>
        host.Services.GetRequiredService<CallBounds>().For(host.Services.GetRequiredService<CatalogRules>().Apply(
            host.Services.GetRequiredService<RequestReader>().ReadSeed(await Seed(user).ReadAsByteArrayAsync(Ct), new CallerIdentity("acme", "test"))));

    private static async Task SetBudgetAsync(ProxyHost host, string? user, decimal usd)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=acme" + (user is null ? "" : "&userId=" + user))
        {
            Headers = { { AdminKeyCheck.Header, AdminKey } },
            Content = new StringContent($$"""{"costLimitUsd":{{usd.ToString(CultureInfo.InvariantCulture)}}}""", Encoding.UTF8, "application/json"),
        };
        var answer = await host.Client.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // 0 is unlimited: the limit in force is then absent.
        Assert.Equal(usd > 0 ? usd : null, JsonNode.Parse(await answer.Content.ReadAsStringAsync(Ct))!["effective"]!["costLimitUsd"]?.GetValue<decimal>());
    }

    [Fact]
    public async Task Twenty_five_concurrent_calls_against_a_budget_for_ten_admit_ten_and_the_vendor_bills_no_more_than_the_budget()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(vendor));
        // The vendor bills exactly the bound: the whole prompt bound and every output token asked for.
        var bound = await BoundOfAsync(host, "ana");
        (vendor.PromptTokens, vendor.CompletionTokens) = ((int)bound.PromptTokens, (int)bound.OutputTokens);
        var callCost = Cost(vendor.PromptTokens, 0, vendor.CompletionTokens);
        var budget = 10 * callCost;
        await SetBudgetAsync(host, "ana", budget);

        var responses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => host.Client.PostAsync("/api/llm-proxy", Seed("ana"), Ct)));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var billed = admitted * callCost;
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: budget ${budget} fits 10 calls of ${callCost}; admitted {admitted} of 25, vendor billed ${billed}");
        Assert.Equal(10, admitted);
        Assert.True(billed <= budget);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!;
            Assert.Equal(("insufficient_quota", "insufficient_quota"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
            Assert.Contains("budget", error["message"]!.GetValue<string>());
            Assert.Equal("0", refused.Headers.GetValues("X-Quota-Remaining-Usd").Single());
        }

        await host.WhenUsageHandledAsync(10);
        var quota = (await host.Client.GetFromJsonAsync<JsonObject>("/api/quota?tenantId=acme&userId=ana", Ct))!;
        Assert.Equal((budget, billed, 0m, 0m), (quota["costLimitUsd"]!.GetValue<decimal>(), quota["costUsedUsd"]!.GetValue<decimal>(),
            quota["costReservedUsd"]!.GetValue<decimal>(), quota["costRemainingUsd"]!.GetValue<decimal>()));
        Assert.Equal(billed, quota["tenant"]!["costUsedUsd"]!.GetValue<decimal>());
        Assert.Null(quota["tenant"]!["costLimitUsd"]);
    }

    [Fact]
    public async Task A_user_is_refused_once_the_next_calls_bound_would_pass_the_budget_and_settles_at_the_cached_price()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(vendor));
        var bound = await BoundOfAsync(host, "ana");
        var boundCost = Cost((int)bound.PromptTokens, 0, (int)bound.OutputTokens);
        // Each call really uses 20 prompt tokens, 12 of them read from the cache, and 3 output tokens.
        (vendor.PromptTokens, vendor.CachedPromptTokens, vendor.CompletionTokens) = (20, 12, 3);
        var realCost = Cost(20, 12, 3);
        var budget = boundCost + 4.5m * realCost;
        await SetBudgetAsync(host, "ana", budget);

        // A call is admitted while what the earlier ones cost plus this one's bound fits: k calls where
        // (k - 1) x real + bound <= budget, so 5 here; the sixth would pass it and is refused.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            var answer = await host.Client.PostAsync("/api/llm-proxy", Seed("ana"), Ct);
            answers.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.OK) await host.WhenUsageHandledAsync(answers.Count(a => a == HttpStatusCode.OK));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        var quota = (await host.Client.GetFromJsonAsync<JsonObject>("/api/quota?tenantId=acme&userId=ana", Ct))!;
        Assert.Equal(5 * realCost, quota["costUsedUsd"]!.GetValue<decimal>());
        Assert.Equal(budget - 5 * realCost, quota["costRemainingUsd"]!.GetValue<decimal>());
        Assert.True(budget - 5 * realCost < boundCost);
        // Another user of the tenant has no budget and is not held back.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("bob"), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_scope_with_a_budget_cannot_call_an_unpriced_model_and_is_told_which()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(vendor, ("LlmProxy:Quota:DefaultTenantCostLimitUsd", "5")));

        var refused = await host.Client.PostAsync("/api/llm-proxy", Seed("ana", "gpt-unpriced"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(("invalid_request_error", "model"), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Contains("'openai/gpt-unpriced' has no price", error["message"]!.GetValue<string>());
        Assert.Contains("Tenant 'acme' has a money budget", error["message"]!.GetValue<string>());
        Assert.Empty(vendor.Requests);
        // A priced model goes through; without any budget the unpriced one does too (its cost is unknown, not zero).
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("ana"), Ct)).StatusCode);
        await SetBudgetAsync(host, null, 0);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/llm-proxy", Seed("ana", "gpt-unpriced"), Ct)).StatusCode);
    }

    [Theory]
    [InlineData("""{"costLimitUsd":-1}""")]
    [InlineData("""{"costLimitUsd":0.0000000001}""")]
    [InlineData("""{"costLimitUsd":1000000001}""")]
    public async Task A_budget_out_of_range_is_refused_naming_the_field(string body)
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        await using var host = await ProxyHost.StartAsync(Settings(vendor));
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=acme&userId=ana")
        {
            Headers = { { AdminKeyCheck.Header, AdminKey } },
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        var answer = await host.Client.SendAsync(put, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("costLimitUsd", JsonNode.Parse(await answer.Content.ReadAsStringAsync(Ct))!["error"]!["param"]!.GetValue<string>());
    }
}

public sealed class SqliteMoneyBudgetTests(AzuriteFixture azurite) : MoneyBudgetTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesMoneyBudgetTests(AzuriteFixture azurite) : MoneyBudgetTests(azurite, StoreKindUnderTest.Tables);
