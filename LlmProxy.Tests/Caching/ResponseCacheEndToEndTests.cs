using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.RequestLog;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Caching;

/// <summary>The response cache over loopback: vendor calls saved, streams replayed, no crossing of tenants, bypasses.</summary>
public sealed class ResponseCacheEndToEndTests : IAsyncLifetime
{
    private FakeOpenAIVendor _vendor = null!;
    private ProxyHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = _vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
            ["LlmProxy:Admin:ApiKey"] = ProxyHost.TestAdminKey,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    private static string Body(bool stream, string tenant = "acme", string extra = "") =>
        $$"""{"provider":"openai","model":"gpt-4o-mini","tenantId":"{{tenant}}","userId":"ana","stream":{{(stream ? "true" : "false")}},{{extra}}"messages":[{"role":"user","content":"Cache me"}]}""";

    private async Task<(HttpResponseMessage Response, string Text)> CallAsync(string body, bool noCacheHeader = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (noCacheHeader) request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        var response = await _host.Client.SendAsync(request, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string CacheHeader(HttpResponseMessage response) => response.Headers.GetValues("X-Cache").Single();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Repeated_requests_reach_the_vendor_once_and_the_rest_are_hits_recorded_as_cached(bool stream)
    {
        const int repeats = 5;
        var answers = new List<string>();
        var caches = new List<string>();
        for (var i = 0; i < repeats; i++)
        {
            var (response, text) = await CallAsync(Body(stream));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            caches.Add(CacheHeader(response));
            answers.Add(text);
        }

        Assert.Single(_vendor.Requests);
        Assert.Equal(["MISS", "HIT", "HIT", "HIT", "HIT"], caches);
        // A replayed stream is the same SSE, frame for frame, but for the id and time each answer has of its own.
        static string Content(string answer) => System.Text.RegularExpressions.Regex.Replace(answer, "\"id\":\"[^\"]*\",\"object\":\"([a-z.]+)\",\"created\":\\d+", "\"object\":\"$1\"");
        Assert.All(answers, a => Assert.Equal(Content(answers[0]), Content(a)));
        Assert.Equal(repeats, answers.Select(a => JsonNode.Parse(stream ? a[(a.IndexOf("data: ", StringComparison.Ordinal) + 6)..a.IndexOf('\n')] : a)!["id"]!.GetValue<string>()).Distinct().Count());
        if (stream)
        {
            Assert.StartsWith("data: {", answers[0]);
            Assert.EndsWith("data: [DONE]\n\n", answers[0]);
            Assert.Contains("\"usage\":", answers[0]);
        }

        await _host.WhenUsageHandledAsync(repeats);
        var rows = await UsageRows.ReadAsync(_host.DatabasePath);
        Assert.Equal(repeats, rows.Count);
        Assert.Equal(1, rows.Count(r => !r.Cached));
        Assert.All(rows, r => Assert.Equal((11, 7), (r.PromptTokens, r.CompletionTokens)));
        // Cached answers do not count against the quota by default: only the vendor's one call is used.
        var quota = System.Text.Json.Nodes.JsonNode.Parse(await _host.Client.GetStringAsync("/api/quota?tenantId=acme&userId=ana", Ct))!;
        Assert.Equal(18, quota["used"]!.GetValue<long>());
        var status = await _host.OperatorStatusAsync(Ct);
        Assert.Equal(0.8, status["cacheHitRatio"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task No_answer_crosses_tenants()
    {
        await CallAsync(Body(false, "acme"));
        var (other, _) = await CallAsync(Body(false, "globex"));

        Assert.Equal("MISS", CacheHeader(other));
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task Cache_false_in_the_body_and_cache_control_no_cache_bypass_the_cache()
    {
        await CallAsync(Body(false));
        var (byBody, _) = await CallAsync(Body(false, extra: "\"cache\":false,"));
        var (byHeader, _) = await CallAsync(Body(false), noCacheHeader: true);

        Assert.False(byBody.Headers.Contains("X-Cache"));
        Assert.False(byHeader.Headers.Contains("X-Cache"));
        Assert.Equal(3, _vendor.Requests.Count);
        Assert.All(_vendor.Requests, r => Assert.Null(r.Body["cache"])); // the proxy's field never reaches the vendor
    }

    [Fact]
    public async Task A_stream_the_caller_abandons_is_never_cached()
    {
        _vendor.HoldStreamAfterFirstChunk = new TaskCompletionSource().Task;
        using (var client = new HttpClient { BaseAddress = _host.BaseAddress })
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _host.KeyForAsync("acme"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = new StringContent(Body(true), Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            await using var stream = await response.Content.ReadAsStreamAsync(Ct);
            await foreach (var frame in SseReader.DataAsync(stream, Ct))
                if (frame.Contains("Hello", StringComparison.Ordinal)) break;
        }
        await _host.WhenUsageHandledAsync(1);
        _vendor.HoldStreamAfterFirstChunk = null;

        var (again, text) = await CallAsync(Body(true));

        Assert.Equal("MISS", CacheHeader(again));
        Assert.EndsWith("data: [DONE]\n\n", text);
        Assert.Equal(2, _vendor.Requests.Count);
    }

    [Fact]
    public async Task Every_call_is_in_the_request_log_with_bodies_latency_time_to_first_token_and_vendor_id()
    {
        await CallAsync(Body(false));
        await CallAsync(Body(true, extra: "\"cache\":false,"));
        await _host.Services.GetRequiredService<RequestLogWriter>().WhenHandledAsync(2, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var store = _host.Services.GetRequiredService<IRequestLogStore>();

        var entries = await store.QueryAsync(new RequestLogQuery { TenantId = "acme" }, Ct);
        Assert.Equal(2, entries.Count);
        var streamed = await store.GetAsync(entries.Single(e => e.Stream).Id, Ct);
        var whole = await store.GetAsync(entries.Single(e => !e.Stream).Id, Ct);
        Assert.NotNull(streamed?.TimeToFirstTokenMs);
        Assert.Null(whole!.TimeToFirstTokenMs);
        foreach (var entry in new[] { streamed!, whole })
        {
            Assert.Equal(("ok", 200, "chatcmpl-fake123"), (entry.Status, entry.HttpStatus, entry.VendorRequestId));
            Assert.Contains("Cache me", entry.RequestBody);
            Assert.Equal("Hello from the fake vendor.", entry.ResponseBody);
            Assert.False(entry.BodiesTruncated);
        }
    }
}
