using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// Each attempt a vendor may have billed is reserved and charged: a fallback after a timeout (the vendor may have
/// processed the request) grows the reservation first and charges both attempts; a vendor's refusal (an error status)
/// is not billed by vendors and is charged nothing.
/// </summary>
public sealed class FallbackChargingTests
{
    private const string Body = """{"provider":"openai","model":"gpt-4o-mini","userId":"ana","messages":[{"role":"user","content":"hi"}]}""";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ProxyHost> StartAsync(Uri openAiBaseUrl, string timeoutSeconds = "5", params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = openAiBaseUrl.ToString(),
            ["LlmProxy:Providers:openai:TimeoutSeconds"] = timeoutSeconds,
            ["LlmProxy:Resilience:MaxRetries"] = "2",
            ["LlmProxy:Resilience:RetryBaseDelayMs"] = "10",
            ["LlmProxy:Fallbacks:Rules:0:From"] = "openai/gpt-4o-mini",
            ["LlmProxy:Fallbacks:Rules:0:To:0"] = "mock/echo",
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
            ["LlmProxy:Cache:Enabled"] = "false",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return ProxyHost.StartAsync(settings);
    }

    /// <summary>The bound of the call to OpenAI and of its fallback to the mock.</summary>
    private static (CallBound OpenAI, CallBound Mock) Bounds(ProxyHost host)
    {
        var call = host.Services.GetRequiredService<RequestReader>().ReadSeed(Encoding.UTF8.GetBytes(Body), new CallerIdentity(ProxyHost.DefaultTenant, "test"));
        var rules = host.Services.GetRequiredService<CatalogRules>();
        var bounds = host.Services.GetRequiredService<CallBounds>();
        return (bounds.For(rules.Apply(call)), bounds.For(rules.Apply(call with { Provider = "mock", Model = "echo", Request = call.Request with { Model = "echo" } })));
    }

    private static Task<HttpResponseMessage> CallAsync(ProxyHost host) =>
        host.Client.PostAsync("/api/llm-proxy", new StringContent(Body, Encoding.UTF8, "application/json"), Ct);

    private static async Task<long> UsedAsync(ProxyHost host) =>
        (await host.Services.GetRequiredService<QuotaService>().GetStatusAsync(ProxyHost.DefaultTenant, "ana", Ct)).Used;

    [Fact]
    public async Task A_fallback_after_a_timeout_charges_both_attempts_and_the_timed_out_one_is_not_retried()
    {
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await StartAsync(silent.BaseUrl, timeoutSeconds: "1");
        var (openAi, _) = Bounds(host);

        using var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["usage"]!;
        Assert.Equal(1, silent.Requests);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("mock", "ok", true), (row.Provider, row.Status, row.Estimated));
        Assert.Equal(openAi.PromptTokens + usage["prompt_tokens"]!.GetValue<int>(), row.PromptTokens);
        Assert.Equal(openAi.OutputTokens + usage["completion_tokens"]!.GetValue<int>(), row.CompletionTokens);
        var used = await UsedAsync(host);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"timeout, then fallback: {silent.Requests} request(s) to openai (bound {openAi.Total}), the answer {usage["total_tokens"]}; recorded used {used}");
        Assert.Equal(row.PromptTokens + row.CompletionTokens, used);
    }

    [Fact]
    public async Task A_fallback_the_quota_has_no_room_for_is_not_tried_and_the_timed_out_attempt_is_charged()
    {
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await StartAsync(silent.BaseUrl, timeoutSeconds: "1");
        var (openAi, mock) = Bounds(host);
        var limit = openAi.Total + mock.Total - 1;
        await host.Services.GetRequiredService<IQuotaStore>().SetOverrideAsync(QuotaScope.User(ProxyHost.DefaultTenant, "ana"), new QuotaOverride(limit, null), Ct);

        using var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("openai", "vendor_error", 504), (row.Provider, row.Status, row.HttpStatus));
        Assert.Equal(openAi.Total, row.PromptTokens + row.CompletionTokens);
        var used = await UsedAsync(host);
        TestContext.Current.TestOutputHelper?.WriteLine($"limit {limit}, openai bound {openAi.Total}, mock bound {mock.Total}: answered {(int)response.StatusCode}, recorded used {used}");
        Assert.InRange(used, openAi.Total, limit);
    }

    /// <summary>
    /// Money too: before the fallback the reservation's money grows to the timed-out attempt's charge plus the
    /// fallback's bound at the fallback's prices; a budget one nano-dollar short of that keeps the fallback from being tried.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_is_tried_only_when_the_money_budget_covers_both_attempts(bool room)
    {
        const decimal input = 1000m, output = 2000m;
        (string, string?)[] prices =
        [
            ("LlmProxy:Quota:DefaultUserTokens", "0"),
            ("LlmProxy:Models:openai:gpt-4o-mini:InputPricePerMillion", "1000"), ("LlmProxy:Models:openai:gpt-4o-mini:OutputPricePerMillion", "2000"),
            ("LlmProxy:Models:openai:gpt-4o-mini:PricesAsOf", "2026-11-28"),
            ("LlmProxy:Models:mock:echo:InputPricePerMillion", "1000"), ("LlmProxy:Models:mock:echo:OutputPricePerMillion", "2000"),
            ("LlmProxy:Models:mock:echo:PricesAsOf", "2026-11-28"),
        ];
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await StartAsync(silent.BaseUrl, "1", prices);
        var (openAi, mock) = Bounds(host);
        decimal Cost(CallBound bound) => (bound.PromptTokens * input + bound.OutputTokens * output) / 1_000_000m;
        var budget = Cost(openAi) + Cost(mock) - (room ? 0 : 0.000000001m);
        await host.Services.GetRequiredService<IQuotaStore>().SetOverrideAsync(QuotaScope.User(ProxyHost.DefaultTenant, "ana"), new QuotaOverride(null, null, budget), Ct);

        using var response = await CallAsync(host);

        Assert.Equal(room ? HttpStatusCode.OK : HttpStatusCode.GatewayTimeout, response.StatusCode);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        var status = await host.Services.GetRequiredService<QuotaService>().GetStatusAsync(ProxyHost.DefaultTenant, "ana", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"budget ${budget}, openai bound ${Cost(openAi)}, mock bound ${Cost(mock)}: answered {(int)response.StatusCode} by {row.Provider}, recorded ${status.CostUsedUsd}");
        Assert.Equal(room ? "mock" : "openai", row.Provider);
        Assert.InRange(status.CostUsedUsd, Cost(openAi), budget);
    }

    [Fact]
    public async Task A_vendor_refusal_is_retried_then_falls_back_and_only_the_answer_is_charged()
    {
        await using var vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        vendor.Failure = (503, "overloaded", null);
        await using var host = await StartAsync(vendor.ProxyBaseUrl);

        using var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, vendor.Requests.Count);
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["usage"]!;
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("mock", false), (row.Provider, row.Estimated));
        Assert.Equal((usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>()), (row.PromptTokens, row.CompletionTokens));
    }
}
