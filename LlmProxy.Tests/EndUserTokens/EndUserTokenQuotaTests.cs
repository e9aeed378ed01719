using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.EndUserTokens;

/// <summary>
/// An end-user token's per-user token and money limits under concurrent calls, on SQLite and on Table Storage
/// (Azurite). The fake vendor bills each call exactly what admission reserves for it (its bound), so a limit of five
/// calls admits five and no sixth.
/// </summary>
public abstract class EndUserTokenQuotaTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private const string Body = """{"provider":"openai","model":"gpt-4o-mini","messages":[{"role":"user","content":"Make this better"}],"max_tokens":20}""";
    // USD per million tokens: a prompt token costs $0.001 and an output token $0.002.
    private const decimal InputPrice = 1000m, OutputPrice = 2000m;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What admission reserves for <paramref name="body"/> sent by ana of shop: the call's bound.</summary>
    internal static CallBound Bound(ProxyHost host, string body) => host.Services.GetRequiredService<CallBounds>().For(
        host.Services.GetRequiredService<CatalogRules>().Apply(host.Services.GetRequiredService<RequestReader>().ReadSeed(Encoding.UTF8.GetBytes(body),
            new CallerIdentity("shop", "test", EndUser: new EndUserToken { TenantId = "shop", UserId = "ana", IssuedAt = 0, ExpiresAt = long.MaxValue }))));

    private async Task<(FakeVendor Vendor, ProxyHost Host, CallBound Bound)> StartAsync()
    {
        var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key;
        settings["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString();
        settings["LlmProxy:Models:openai:gpt-4o-mini:InputPricePerMillion"] = InputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:OutputPricePerMillion"] = OutputPrice.ToString(CultureInfo.InvariantCulture);
        settings["LlmProxy:Models:openai:gpt-4o-mini:PricesAsOf"] = "2026-11-28";
        settings["LlmProxy:Cache:Enabled"] = "false";
        settings["LlmProxy:Quota:DefaultUserTokens"] = "0";
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:EndUserTokens:SigningKey"] = EndUserTokenEndToEndTests.SigningKey;
        var host = await ProxyHost.StartAsync(settings);
        var bound = Bound(host, Body);
        (vendor.PromptTokens, vendor.CompletionTokens) = ((int)bound.PromptTokens, (int)bound.OutputTokens);
        return (vendor, host, bound);
    }

    /// <summary>Twenty calls at once with a token for ana carrying <paramref name="limits"/>; the number admitted, all others checked to be quota refusals.</summary>
    private static async Task<int> CallConcurrentlyAsync(ProxyHost host, string limits)
    {
        using var issue = new HttpRequestMessage(HttpMethod.Post, "/api/tokens")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", await host.KeyForAsync("shop")) },
            Content = new StringContent($$"""{"userId":"ana","limits":{{limits}}}""", Encoding.UTF8, "application/json"),
        };
        using var issued = await host.AnonymousClient.SendAsync(issue, Ct);
        var token = JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["token"]!.GetValue<string>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
        {
            var call = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return host.AnonymousClient.SendAsync(call, Ct);
        }));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("insufficient_quota", JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        }
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        await host.WhenUsageHandledAsync(admitted);
        return admitted;
    }

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_token_limited_to_five_calls_admit_five_and_record_exactly_the_limit()
    {
        var (vendor, host, bound) = await StartAsync();
        await using var _ = vendor;
        await using var __ = host;
        var limit = 5 * bound.Total;

        var admitted = await CallConcurrentlyAsync(host, $$"""{"tokenLimit":{{limit}}}""");

        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync("shop", "ana", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: token limit {limit} ({bound.Total} per call): admitted {admitted} of 20, recorded {status.Used}");
        Assert.Equal(5, admitted);
        Assert.Equal((limit, 0L), (status.Used, status.Reserved));

        // The ceiling is the token's: the same user through the tenant's secret key is held only by the user's own limit (none).
        using var backend = await host.Client.PostAsync("/api/llm-proxy",
            new StringContent(Body.Replace("\"max_tokens\"", "\"tenantId\":\"shop\",\"userId\":\"ana\",\"max_tokens\""), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, backend.StatusCode);
    }

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_token_whose_money_limit_fits_five_calls_admit_five_and_the_vendor_bills_no_more()
    {
        var (vendor, host, bound) = await StartAsync();
        await using var _ = vendor;
        await using var __ = host;
        var callCost = (bound.PromptTokens * InputPrice + bound.OutputTokens * OutputPrice) / 1_000_000m;
        var budget = 5 * callCost;

        var admitted = await CallConcurrentlyAsync(host, $$"""{"costLimitUsd":{{budget.ToString(CultureInfo.InvariantCulture)}}}""");

        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync("shop", "ana", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: money limit ${budget} (${callCost} per call): admitted {admitted} of 20, vendor billed ${admitted * callCost}, recorded ${status.CostUsedUsd}");
        Assert.Equal(5, admitted);
        Assert.Equal((budget, 0m), (status.CostUsedUsd, status.CostReservedUsd));
    }
}

public sealed class SqliteEndUserTokenQuotaTests(AzuriteFixture azurite) : EndUserTokenQuotaTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesEndUserTokenQuotaTests(AzuriteFixture azurite) : EndUserTokenQuotaTests(azurite, StoreKindUnderTest.Tables);
