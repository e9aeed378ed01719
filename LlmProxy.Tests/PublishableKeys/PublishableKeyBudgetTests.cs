using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static LlmProxy.Tests.PublishableKeys.PublishableKeyClient;

namespace LlmProxy.Tests.PublishableKeys;

/// <summary>
/// A publishable key's own budget against the attack it exists for, on SQLite and on Table Storage (Azurite): a
/// script with the key, a forged <c>Origin</c> and a new <c>userId</c> on every call, many at once. Whatever it does,
/// the vendor bills no more than the key's budget.
/// </summary>
public abstract class PublishableKeyBudgetTests(AzuriteFixture azurite, StoreKindUnderTest kind) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A prompt token costs $0.001 and an output token $0.002, so the figures can be checked by hand.
    private const decimal InputPrice = 1000m, OutputPrice = 2000m;
    private const int MaxTokens = 16;

    private ProxyHost _host = null!;
    private FakeOpenAIVendor _vendor = null!;

    // On Table Storage every call of the attack races the others for one ETag twice (the key's address window and
    // its budget counter); on a loaded Azurite that can take longer than the host's usual 30 s client timeout.
    private HttpClient _attacker = null!;

    public async ValueTask InitializeAsync()
    {
        var vendor = _vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        settings["LlmProxy:Cache:Enabled"] = "false";
        // No per-user defence left: every call names a new user anyway. Only the key's budget stands in the way.
        settings["LlmProxy:Quota:DefaultUserTokens"] = "0";
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:PublishableKeys:MaxTokens"] = MaxTokens.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key;
        settings["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString();
        settings["LlmProxy:Models:openai:gpt-4o-mini:InputPricePerMillion"] = InputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:OutputPricePerMillion"] = OutputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:PricesAsOf"] = "2026-11-28";
        _host = await ProxyHost.StartAsync(settings);
        _attacker = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
    }

    public async ValueTask DisposeAsync()
    {
        _attacker.Dispose();
        await _host.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    private static string AttackBody(string user) => ElementBody(user, model: "gpt-4o-mini", provider: "openai");

    /// <summary>The attacker's call: the key, the page's origin forged, a user id of its choosing; the stream read to the end.</summary>
    private async Task<HttpStatusCode> AttackAsync(string key, string user)
    {
        using var response = await _attacker.SendAsync(Call(key, Page, AttackBody(user)), Ct);
        await response.Content.ReadAsStringAsync(Ct);
        return response.StatusCode;
    }

    /// <summary>Makes the vendor bill each call its whole bound (every prompt token the proxy could send, every output token allowed) and prices it.</summary>
    private static decimal BillTheBound(ProxyHost host, FakeOpenAIVendor vendor)
    {
        var call = host.Services.GetRequiredService<RequestReader>().ReadSeed(Encoding.UTF8.GetBytes(AttackBody("x")), new CallerIdentity("shop", "test"));
        // The gate gives a call that names no max_tokens the key's cap; the catalog then sets it as the output budget.
        var bound = host.Services.GetRequiredService<CallBounds>().For(
            host.Services.GetRequiredService<CatalogRules>().Apply(call with { Request = call.Request with { MaxTokens = MaxTokens } }));
        (vendor.PromptTokens, vendor.CompletionTokens) = ((int)bound.PromptTokens, (int)bound.OutputTokens);
        return (bound.PromptTokens * InputPrice + bound.OutputTokens * OutputPrice) / 1_000_000m;
    }

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_forged_origin_and_a_new_user_each_bill_no_more_than_the_keys_budget()
    {
        var (host, vendor) = (_host, _vendor);
        var callCost = BillTheBound(host, vendor);
        var budget = 10 * callCost;
        var key = await CreateAsync(host, scope: $$""","allowedModels":["openai/gpt-4o-mini"],"costLimitUsd":{{budget.ToString(CultureInfo.InvariantCulture)}}""",
            extraFields: ""","requestsPerMinutePerIp":1000000,"requestsPerMinutePerUser":1000000""");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => AttackAsync(key, $"visitor-{i}")));

        var billed = vendor.Requests.Count * callCost;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{kind}: key budget ${budget}; 20 calls, {answers.Count(a => a == HttpStatusCode.OK)} answered, vendor billed ${billed} for {vendor.Requests.Count} calls");
        Assert.True(billed <= budget, $"billed {billed} > budget {budget}");
        Assert.Equal(10, answers.Count(a => a == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.TooManyRequests, a));

        await host.WhenUsageHandledAsync(10);
        var keyId = (await host.Services.GetRequiredService<LlmProxy.Core.Auth.ApiKeyService>().ListAsync("shop", Ct)).Single().KeyId;
        var period = host.Services.GetRequiredService<QuotaService>().CurrentPeriod();
        var counter = await host.Services.GetRequiredService<IQuotaStore>().GetCounterAsync(QuotaScope.ApiKey("shop", keyId), period, Ct);
        Assert.Equal((billed, 0m), (Nanodollars.ToUsd(counter.CostUsed), Nanodollars.ToUsd(counter.CostReserved)));
        // The operator sees it in the key listing.
        var listed = JsonNode.Parse(await (await host.AnonymousClient.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants/shop/keys") { Headers = { { AdminKeyCheck.Header, AdminKey } } }, Ct)).Content.ReadAsStringAsync(Ct))!;
        var shown = listed.AsArray().Single()!["budget"]!;
        Assert.Equal((budget, billed, 0m), (shown["costLimitUsd"]!.GetValue<decimal>(), shown["costUsedUsd"]!.GetValue<decimal>(), shown["costRemainingUsd"]!.GetValue<decimal>()));
        // The next call is refused however the attacker dresses it, and says why.
        using var refused = await host.AnonymousClient.SendAsync(Call(key, Page, AttackBody("visitor-next")), Ct);
        var error = await ErrorAsync(refused);
        Assert.Equal(("insufficient_quota", HttpStatusCode.TooManyRequests), (error["type"]!.GetValue<string>(), refused.StatusCode));
        Assert.Contains($"Publishable key '{keyId}' of tenant 'shop'", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_budget_caps_the_key_too_and_a_key_without_one_stops_when_its_tenant_loses_its_limit()
    {
        var (host, vendor) = (_host, _vendor);
        var callCost = BillTheBound(host, vendor);
        var tokensPerCall = vendor.PromptTokens + vendor.CompletionTokens;
        var tokenKey = await CreateAsync(host, scope: $$""","allowedModels":["openai"],"tokenLimit":{{3 * tokensPerCall}}""",
            extraFields: ""","requestsPerMinutePerIp":1000000""");

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => AttackAsync(tokenKey, $"t-{i}")));
        Assert.Equal(3, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(3, vendor.Requests.Count);

        // A key made while the tenant had a limit needs no budget of its own; once the limit is gone it is refused.
        using var setLimit = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=shop")
        {
            Headers = { { AdminKeyCheck.Header, AdminKey } },
            Content = new StringContent($$"""{"costLimitUsd":{{(100 * callCost).ToString(CultureInfo.InvariantCulture)}}}""", Encoding.UTF8, "application/json"),
        };
        Assert.Equal(HttpStatusCode.OK, (await host.AnonymousClient.SendAsync(setLimit, Ct)).StatusCode);
        var unbudgeted = await CreateAsync(host, scope: ""","allowedModels":["openai"]""", extraFields: ""","requestsPerMinutePerIp":1000000""");
        Assert.Equal(HttpStatusCode.OK, await AttackAsync(unbudgeted, "u-1"));

        using var removeLimit = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=shop")
        {
            Headers = { { AdminKeyCheck.Header, AdminKey } },
            Content = new StringContent("""{"costLimitUsd":null}""", Encoding.UTF8, "application/json"),
        };
        Assert.Equal(HttpStatusCode.OK, (await host.AnonymousClient.SendAsync(removeLimit, Ct)).StatusCode);
        using var refused = await host.AnonymousClient.SendAsync(Call(unbudgeted, Page, AttackBody("u-2")), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("no budget of its own", (await ErrorAsync(refused))["message"]!.GetValue<string>());
        Assert.Equal(4, vendor.Requests.Count);
    }
}

public sealed class SqlitePublishableKeyBudgetTests(AzuriteFixture azurite) : PublishableKeyBudgetTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesPublishableKeyBudgetTests(AzuriteFixture azurite) : PublishableKeyBudgetTests(azurite, StoreKindUnderTest.Tables);
