using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Foundation;

/// <summary>The four endpoints over loopback HTTP against the standalone host and the built-in mock vendor.</summary>
public sealed class MockVendorEndToEndTests : IAsyncLifetime
{
    private ProxyHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Admin:ApiKey"] = ProxyHost.TestAdminKey });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private const string SeedBody = """
        {"provider":"mock","model":"echo","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hola mundo"}],
         "temperature":0.2,"tenantId":"acme","userId":"ana"}
        """;

    [Fact]
    public async Task Seed_route_answers_a_chat_completion_naming_the_provider_and_records_one_usage_event()
    {
        var response = await _host.Client.PostAsync("/api/llm-proxy", Json(SeedBody), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("chat.completion", body["object"]!.GetValue<string>());
        Assert.Equal("mock", body["provider"]!.GetValue<string>());
        Assert.Equal("Hola mundo", body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        var usage = body["usage"]!;
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());

        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(("acme", "ana", "mock", "echo", "ok"), (row.TenantId, row.UserId, row.Provider, row.Model, row.Status));
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), row.PromptTokens);
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), row.CompletionTokens);
        Assert.False(row.Estimated);
    }

    [Fact]
    public async Task Seed_route_streams_chunks_then_a_usage_chunk_then_done()
    {
        var body = SeedBody.Replace("\"temperature\":0.2", "\"stream\":true");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = Json(body) };
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var frames = new List<string>();
        await foreach (var data in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), TestContext.Current.CancellationToken))
            frames.Add(data);

        Assert.Equal("[DONE]", frames[^1]);
        var chunks = frames[..^1].Select(f => JsonNode.Parse(f)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.All(chunks, c => Assert.Equal("mock", c["provider"]!.GetValue<string>()));
        var text = string.Concat(chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]?["content"]?.GetValue<string>()));
        Assert.Equal("Hola mundo", text);
        Assert.True(chunks.Count(c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["delta"]?["content"] is not null) >= 2, "the answer came in several chunks");
        var last = chunks[^1];
        Assert.Empty(last["choices"]!.AsArray());
        Assert.True(last["usage"]!["total_tokens"]!.GetValue<int>() > 0);

        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.True(row.Stream);
        Assert.Equal("ok", row.Status);
        Assert.Equal(last["usage"]!["completion_tokens"]!.GetValue<int>(), row.CompletionTokens);
    }

    [Fact]
    public async Task Quota_endpoint_shows_limit_used_remaining_period_and_rate_limit()
    {
        (await _host.Client.PostAsync("/api/llm-proxy", Json(SeedBody), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await _host.WhenUsageHandledAsync(1);
        var used = (await UsageRows.ReadAsync(_host.DatabasePath)).Sum(r => r.PromptTokens + r.CompletionTokens);

        var quota = (await _host.Client.GetFromJsonAsync<JsonObject>("/api/quota?tenantId=acme&userId=ana", TestContext.Current.CancellationToken))!;

        Assert.Equal(100_000, quota["limit"]!.GetValue<long>());
        Assert.Equal(used, quota["used"]!.GetValue<long>());
        Assert.Equal(100_000 - used, quota["remaining"]!.GetValue<long>());
        Assert.Equal(10, quota["requestsPerMinute"]!.GetValue<int>());
        var start = DateTimeOffset.Parse(quota["periodStart"]!.GetValue<string>());
        var end = DateTimeOffset.Parse(quota["periodEnd"]!.GetValue<string>());
        Assert.Equal(1, start.Day);
        Assert.Equal(start.AddMonths(1), end);
        Assert.Equal(used, quota["tenant"]!["used"]!.GetValue<long>());
    }

    [Fact]
    public async Task Models_lists_every_provider_and_model_with_its_configured_state()
    {
        var models = (await _host.Client.GetFromJsonAsync<JsonObject>("/v1/models", TestContext.Current.CancellationToken))!;

        Assert.Equal("list", models["object"]!.GetValue<string>());
        var byId = models["data"]!.AsArray().ToDictionary(m => m!["id"]!.GetValue<string>(), m => m!["configured"]!.GetValue<bool>());
        Assert.True(byId["mock/echo"]);
        Assert.False(byId["openai/gpt-4o-mini"]);
    }

    [Fact]
    public async Task Status_reports_version_uptime_vendors_store_and_queue()
    {
        var status = await _host.OperatorStatusAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ok", status["status"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+", status["version"]!.GetValue<string>());
        Assert.True(status["uptimeSeconds"]!.GetValue<long>() >= 0);
        var providers = status["providers"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["configured"]!.GetValue<bool>());
        Assert.True(providers["mock"]);
        Assert.False(providers["openai"]);
        Assert.Equal("sqlite", status["store"]!["kind"]!.GetValue<string>());
        Assert.True(status["store"]!["reachable"]!.GetValue<bool>());
        Assert.Equal("in-process", status["queue"]!["kind"]!.GetValue<string>());
        Assert.True(status["queue"]!["reachable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_vendor_without_a_key_is_refused_outside_development()
    {
        var response = await _host.Client.PostAsync("/api/llm-proxy", Json(SeedBody.Replace("\"mock\"", "\"openai\"")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal("provider_not_configured", error["type"]!.GetValue<string>());
        Assert.Equal("openai", error["provider"]!.GetValue<string>());
    }

    [Fact]
    public async Task In_development_the_mock_answers_for_a_vendor_without_a_key()
    {
        await using var host = await ProxyHost.StartAsync(environment: "Development");

        var response = await host.Client.PostAsync("/api/llm-proxy", Json(SeedBody.Replace("\"mock\"", "\"openai\"")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mock", response.Headers.GetValues("X-LlmProxy-Provider").Single());
    }

    [Fact]
    public async Task A_user_over_quota_is_refused_with_insufficient_quota_and_the_period_end_but_no_retry_after()
    {
        // Admission reserves the call's bound (its request's JSON bytes + 5 output tokens): a limit of exactly that
        // fits one call, not a second after the first one's usage is recorded.
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultMaxTokens"] = "5" });
        var call = host.Services.GetRequiredService<CatalogRules>().Apply(host.Services.GetRequiredService<RequestReader>().ReadSeed(Encoding.UTF8.GetBytes(SeedBody), new CallerIdentity("acme", "test")));
        var bound = host.Services.GetRequiredService<CallBounds>().For(call).Total;
        await host.Services.GetRequiredService<IQuotaStore>().SetOverrideAsync(QuotaScope.User("acme", "ana"), new QuotaOverride(bound, null), TestContext.Current.CancellationToken);
        (await host.Client.PostAsync("/api/llm-proxy", Json(SeedBody), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await host.WhenUsageHandledAsync(1);

        var refused = await host.Client.PostAsync("/api/llm-proxy", Json(SeedBody.Replace("Hola mundo", "Hola otra vez")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Null(refused.Headers.RetryAfter);
        Assert.Equal("false", refused.Headers.GetValues("x-should-retry").Single());
        Assert.True(long.Parse(refused.Headers.GetValues("X-Quota-Reset").Single(), CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal(("insufficient_quota", "insufficient_quota"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
    }

    [Theory]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "[1,2]", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\"}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"messages\":[]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"nope\",\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"temperature\":7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/api/llm-proxy", "{\"provider\":\"mock\",\"model\":\"echo\",\"tenantId\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/v1/chat/completions", "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    [InlineData("/v1/chat/completions", "{\"model\":\"nope/x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "invalid_request_error")]
    public async Task Bad_input_gets_400_with_the_unified_error_body_and_records_nothing(string path, string body, string type)
    {
        var response = await _host.Client.PostAsync(path, Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.Equal(400, error["status"]!.GetValue<int>());
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:MaxRequestBodyBytes"] = "2048" });
        var big = SeedBody.Replace("Hola mundo", new string('x', 4096));

        var response = await host.Client.PostAsync("/api/llm-proxy", Json(big), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal("request_too_large", error["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_settings_stop_the_host_at_start()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "-1" }));
        Assert.Contains("RequestsPerMinutePerUser", failure.ToString());
    }
}
