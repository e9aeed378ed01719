using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Foundation;

/// <summary>Retries before the first byte, the per-vendor circuit breaker, and what the status page says about them.</summary>
public sealed class VendorResilienceTests : IAsyncLifetime
{
    private FakeOpenAIVendor _vendor = null!;

    public async ValueTask InitializeAsync() => _vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();

    public async ValueTask DisposeAsync() => await _vendor.DisposeAsync();

    private Task<ProxyHost> StartProxyAsync(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = _vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Resilience:RetryBaseDelayMs"] = "10",
            ["LlmProxy:Admin:ApiKey"] = ProxyHost.TestAdminKey,
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return ProxyHost.StartAsync(settings);
    }

    /// <summary>The frames of a stream the proxy broke off (the call is read as it arrives, as a client reads it).</summary>
    private static async Task<string> BrokenStreamAsync(ProxyHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = new StringContent("""{"provider":"openai","model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        return string.Join("\n", await SseReader.UntilBrokenAsync(response, TestContext.Current.CancellationToken));
    }

    private static Task<HttpResponseMessage> CallAsync(ProxyHost host, bool stream = false) =>
        host.Client.PostAsync("/api/llm-proxy", new StringContent(
            $$"""{"provider":"openai","model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""",
            Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(500, false)]
    [InlineData(502, true)]
    [InlineData(429, false)]
    public async Task A_transient_vendor_failure_is_retried_before_anything_reaches_the_caller(int status, bool stream)
    {
        await using var host = await StartProxyAsync();
        _vendor.Failure = (status, "try again", status == 429 ? "0" : null);
        _vendor.FailureCount = 1;

        var response = await CallAsync(host, stream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _vendor.Requests.Count);
        Assert.Contains("Hello", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_429_with_a_long_retry_after_goes_straight_back_to_the_caller()
    {
        await using var host = await StartProxyAsync();
        _vendor.Failure = (429, "slow down", "30");

        var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter!.Delta);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task A_stream_that_fails_after_it_started_is_not_retried()
    {
        await using var host = await StartProxyAsync();
        _vendor.FailMidStream = true;

        var body = await BrokenStreamAsync(host);

        Assert.Contains("provider_error", body);
        Assert.Single(_vendor.Requests);
    }

    [Fact]
    public async Task Repeated_vendor_failures_open_the_circuit_and_calls_fail_fast_without_reaching_the_vendor()
    {
        await using var host = await StartProxyAsync(
            ("LlmProxy:Resilience:MaxRetries", "0"),
            ("LlmProxy:Resilience:CircuitMinimumThroughput", "4"),
            ("LlmProxy:Resilience:CircuitBreakSeconds", "60"));
        _vendor.Failure = (500, "down", null);

        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.BadGateway, (await CallAsync(host)).StatusCode);
        var refused = await CallAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal("provider_unavailable", error["type"]!.GetValue<string>());
        Assert.True(refused.Headers.RetryAfter!.Delta > TimeSpan.Zero);
        Assert.Equal(4, _vendor.Requests.Count);

        var status = await host.OperatorStatusAsync(TestContext.Current.CancellationToken);
        var openai = status["providers"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "openai")!;
        Assert.Equal("open", openai["circuit"]!.GetValue<string>());
        Assert.Equal(4, openai["recentCalls"]!.GetValue<int>());
        Assert.Equal(1.0, openai["recentErrorRate"]!.GetValue<double>());
    }

    /// <summary>A request that timed out may have been processed, and billed: it is not repeated, and it is charged its bound.</summary>
    [Fact]
    public async Task A_vendor_that_never_answers_is_not_tried_again_and_the_call_is_charged_its_bound()
    {
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = "sk-any",
            ["LlmProxy:Providers:openai:BaseUrl"] = silent.BaseUrl.ToString(),
            ["LlmProxy:Providers:openai:TimeoutSeconds"] = "1",
            ["LlmProxy:Resilience:MaxRetries"] = "1",
            ["LlmProxy:Resilience:RetryBaseDelayMs"] = "10",
        });

        var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(1, silent.Requests);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("vendor_error", 504, true), (row.Status, row.HttpStatus, row.Estimated));
        // The bound: the request's JSON bytes (well above the few tokens of "hi") and the whole default output budget.
        Assert.Equal(1024, row.CompletionTokens);
        Assert.InRange(row.PromptTokens, 50, 200);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failing_vendor_falls_back_to_the_next_model_of_its_route_and_the_one_usage_event_names_it(bool stream)
    {
        await using var host = await StartProxyAsync(
            ("LlmProxy:Resilience:MaxRetries", "0"),
            ("LlmProxy:Fallbacks:Rules:0:From", "openai/gpt-4o-mini"),
            ("LlmProxy:Fallbacks:Rules:0:To:0", "mock/echo"));
        _vendor.Failure = (503, "overloaded", null);

        var response = await CallAsync(host, stream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mock", response.Headers.GetValues("X-LlmProxy-Provider").Single());
        Assert.Contains("hi", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Single(_vendor.Requests);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("mock", "echo", "ok"), (row.Provider, row.Model, row.Status));
    }

    [Fact]
    public async Task A_request_the_vendor_refuses_as_bad_does_not_fall_back()
    {
        await using var host = await StartProxyAsync(
            ("LlmProxy:Fallbacks:Rules:0:From", "openai/gpt-4o-mini"),
            ("LlmProxy:Fallbacks:Rules:0:To:0", "mock/echo"));
        _vendor.Failure = (400, "bad request", null);

        var response = await CallAsync(host);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("openai", JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!["provider"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stream_that_outlives_the_total_timeout_ends_with_a_timeout_error_frame_and_is_recorded()
    {
        await using var host = await StartProxyAsync(("LlmProxy:Providers:openai:TotalTimeoutSeconds", "1"));
        _vendor.HoldStreamAfterFirstChunk = new TaskCompletionSource().Task; // the vendor stalls after one piece

        var body = await BrokenStreamAsync(host);

        Assert.Contains("Hello", body);
        Assert.Contains("provider_timeout", body);
        Assert.DoesNotContain("[DONE]", body);
        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("vendor_error", 504), (row.Status, row.HttpStatus));
    }
}
