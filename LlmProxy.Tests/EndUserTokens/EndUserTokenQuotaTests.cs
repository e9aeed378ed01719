using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.EndUserTokens;

/// <summary>An end-user token's per-user token limit under concurrent calls, on SQLite and on Table Storage (Azurite).</summary>
public abstract class EndUserTokenQuotaTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What admission reserves for <paramref name="body"/> sent by ana of shop: the call's bound.</summary>
    internal static long Bound(ProxyHost host, string body) => host.Services.GetRequiredService<CallBounds>().For(
        host.Services.GetRequiredService<CatalogRules>().Apply(host.Services.GetRequiredService<RequestReader>().ReadSeed(Encoding.UTF8.GetBytes(body), "shop", "ana"))).Total;

    [Fact]
    public async Task Twenty_concurrent_calls_with_a_token_limited_to_five_calls_admit_five_and_record_exactly_the_limit()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key;
        settings["LlmProxy:Providers:openai:BaseUrl"] = vendor.ProxyBaseUrl.ToString();
        settings["LlmProxy:Cache:Enabled"] = "false";
        settings["LlmProxy:Quota:DefaultUserTokens"] = "0";
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:EndUserTokens:SigningKey"] = EndUserTokenEndToEndTests.SigningKey;
        await using var host = await ProxyHost.StartAsync(settings);

        // The vendor bills each call exactly what admission reserves for it, so the limit fits five calls and no sixth.
        const string body = """{"provider":"openai","model":"gpt-4o-mini","messages":[{"role":"user","content":"Make this better"}],"max_tokens":20}""";
        var estimate = Bound(host, body);
        vendor.PromptTokens = (int)estimate - 20;
        vendor.CompletionTokens = 20;
        var limit = 5 * estimate;
        using var issue = new HttpRequestMessage(HttpMethod.Post, "/api/tokens")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", await host.KeyForAsync("shop")) },
            Content = new StringContent($$$"""{"userId":"ana","limits":{"tokenLimit":{{{limit}}}}}""", Encoding.UTF8, "application/json"),
        };
        using var issued = await host.AnonymousClient.SendAsync(issue, Ct);
        var token = JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!["token"]!.GetValue<string>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
        {
            var call = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return host.AnonymousClient.SendAsync(call, Ct);
        }));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        await host.WhenUsageHandledAsync(admitted);
        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync("shop", "ana", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: token limit {limit} ({estimate} per call): admitted {admitted} of 20, recorded {status.Used}");
        Assert.Equal(5, admitted);
        Assert.Equal((limit, 0L), (status.Used, status.Reserved));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("quota_exceeded", JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        }

        // The ceiling is the token's: the same user through the tenant's secret key is held only by the user's own limit (none).
        using var backend = await host.Client.PostAsync("/api/llm-proxy",
            new StringContent(body.Replace("\"max_tokens\"", "\"tenantId\":\"shop\",\"userId\":\"ana\",\"max_tokens\""), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, backend.StatusCode);
    }
}

public sealed class SqliteEndUserTokenQuotaTests(AzuriteFixture azurite) : EndUserTokenQuotaTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesEndUserTokenQuotaTests(AzuriteFixture azurite) : EndUserTokenQuotaTests(azurite, StoreKindUnderTest.Tables);
