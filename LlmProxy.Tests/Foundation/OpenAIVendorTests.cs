using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace LlmProxy.Tests.Foundation;

/// <summary>
/// The OpenAI adapter against a fake api.openai.com, with the official OpenAI .NET SDK as the caller of the
/// proxy's OpenAI-compatible route.
/// </summary>
public sealed class OpenAIVendorTests : IAsyncLifetime
{
    private FakeOpenAIVendor _vendor = null!;
    private ProxyHost _host = null!;
    private string _callerKey = "";

    public async ValueTask InitializeAsync()
    {
        _vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = _vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Providers:openai:TimeoutSeconds"] = "5",
        });
        _callerKey = await _host.KeyForAsync(ProxyHost.DefaultTenant);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    private ChatClient SdkClient(string model) =>
        new(model, new ApiKeyCredential(_callerKey), new OpenAIClientOptions { Endpoint = new Uri(_host.BaseAddress, "v1") });

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_OpenAI_SDK_gets_a_whole_answer_through_the_proxy()
    {
        ChatCompletion completion = await SdkClient("openai/gpt-4o-mini").CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")],
            new ChatCompletionOptions { Temperature = 0.3f, EndUserId = "ana" },
            TestContext.Current.CancellationToken);

        Assert.Equal("Hello from the fake vendor.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(11, completion.Usage.InputTokenCount);
        Assert.Equal(7, completion.Usage.OutputTokenCount);

        var sent = Assert.Single(_vendor.Requests).Body;
        Assert.Equal("gpt-4o-mini", sent["model"]!.GetValue<string>());
        Assert.Equal("Bearer " + FakeOpenAIVendor.Key, _vendor.Requests.Single().Headers["authorization"]);
        Assert.Null(sent["stream"]);
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());

        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(("default", "ana", "openai", "gpt-4o-mini", 11, 7, false), (row.TenantId, row.UserId, row.Provider, row.Model, row.PromptTokens, row.CompletionTokens, row.Estimated));
    }

    [Fact]
    public async Task The_OpenAI_SDK_streams_through_the_proxy_with_usage_at_the_end()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in SdkClient("openai/gpt-4o-mini").CompleteChatStreamingAsync(
            [new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.Equal("Hello from the fake vendor.", text.ToString());
        Assert.True(updates >= 6, $"every vendor chunk is forwarded ({updates} updates)");
        Assert.NotNull(usage);
        Assert.Equal(11, usage.InputTokenCount);
        Assert.Equal(7, usage.OutputTokenCount);

        var sent = Assert.Single(_vendor.Requests).Body;
        Assert.True(sent["stream"]!.GetValue<bool>());
        Assert.True(sent["stream_options"]!["include_usage"]!.GetValue<bool>());

        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(("ok", 11, 7, false, true), (row.Status, row.PromptTokens, row.CompletionTokens, row.Estimated, row.Stream));
    }

    [Fact]
    public async Task Fields_the_proxy_does_not_know_pass_through_to_the_vendor()
    {
        var body = """
            {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],
             "response_format":{"type":"json_object"},"logit_bias":{"50256":-100},"seed":7,"stop":"END"}
            """;
        (await _host.Client.PostAsync("/v1/chat/completions", Json(body), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var sent = Assert.Single(_vendor.Requests).Body;
        Assert.Equal("json_object", sent["response_format"]!["type"]!.GetValue<string>());
        Assert.Equal(-100, sent["logit_bias"]!["50256"]!.GetValue<int>());
        Assert.Equal(7, sent["seed"]!.GetValue<int>());
        Assert.Equal(["END"], sent["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task Streaming_is_forwarded_chunk_by_chunk_before_the_vendor_has_finished()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _vendor.HoldStreamAfterFirstChunk = release.Task;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = Json("""{"provider":"openai","model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var frames = SseReader.DataAsync(stream, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        string? firstContent = null;
        while (firstContent is null && await frames.MoveNextAsync())
            firstContent = JsonNode.Parse(frames.Current)!["choices"]?[0]?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 } c ? c : null;

        Assert.Equal("Hello", firstContent);
        Assert.False(_vendor.StreamFinished.Task.IsCompleted, "the caller has the first chunk while the vendor is still streaming");

        release.SetResult();
        var rest = new List<string>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        Assert.Equal("[DONE]", rest[^1]);
        await _vendor.StreamFinished.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_stream_the_caller_abandons_still_records_exactly_one_estimated_usage_event()
    {
        _vendor.HoldStreamAfterFirstChunk = new TaskCompletionSource().Task; // never released: only the caller can end it
        using (var client = new HttpClient { BaseAddress = _host.BaseAddress })
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await _host.KeyForAsync("acme"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
            {
                Content = Json("""{"provider":"openai","model":"gpt-4o-mini","stream":true,"tenantId":"acme","userId":"ana","messages":[{"role":"user","content":"Tell me a long story"}]}"""),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
            await foreach (var frame in SseReader.DataAsync(stream, TestContext.Current.CancellationToken))
                if (frame.Contains("Hello", StringComparison.Ordinal)) break;
        } // disposing the client closes the connection mid-stream

        await _host.WhenUsageHandledAsync(1);
        await _vendor.StreamFinished.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(UsageStatuses.ClientClosed, row.Status);
        Assert.True(row.Estimated);
        Assert.True(row.PromptTokens > 0);
        Assert.Equal(1, row.CompletionTokens); // "Hello" is one token in o200k_base
    }

    [Theory]
    [InlineData(401, null, HttpStatusCode.BadGateway, "provider_authentication_error")]
    [InlineData(403, null, HttpStatusCode.BadGateway, "provider_authentication_error")]
    [InlineData(429, "7", HttpStatusCode.TooManyRequests, "provider_rate_limited")]
    [InlineData(500, null, HttpStatusCode.BadGateway, "provider_error")]
    [InlineData(503, "3", HttpStatusCode.ServiceUnavailable, "provider_overloaded")]
    [InlineData(400, null, HttpStatusCode.BadRequest, "invalid_request_error")]
    public async Task Vendor_errors_map_to_the_unified_error(int vendorStatus, string? retryAfter, HttpStatusCode expected, string type)
    {
        _vendor.Failure = (vendorStatus, "Vendor says no.", retryAfter);

        foreach (var stream in new[] { false, true })
        {
            var body = $$"""{"provider":"openai","model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
            var response = await _host.Client.PostAsync("/api/llm-proxy", Json(body), TestContext.Current.CancellationToken);

            Assert.Equal(expected, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
            Assert.Equal(type, error["type"]!.GetValue<string>());
            Assert.Equal("openai", error["provider"]!.GetValue<string>());
            Assert.Contains("Vendor says no.", error["message"]!.GetValue<string>());
            Assert.DoesNotContain(FakeOpenAIVendor.Key, error.ToJsonString());
            if (retryAfter is not null) Assert.Equal(TimeSpan.FromSeconds(int.Parse(retryAfter)), response.Headers.RetryAfter!.Delta);
        }

        await _host.WhenUsageHandledAsync(2);
        var rows = await UsageRows.ReadAsync(_host.DatabasePath);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal((UsageStatuses.VendorError, (int)expected), (r.Status, r.HttpStatus)));
    }

    [Fact]
    public async Task A_wrong_proxy_key_at_the_vendor_is_a_502_not_a_401()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = "sk-wrong",
            ["LlmProxy:Providers:openai:BaseUrl"] = _vendor.ProxyBaseUrl.ToString(),
        });

        var response = await host.Client.PostAsync("/v1/chat/completions",
            Json("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("sk-wrong", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_vendor_error_mid_stream_sends_an_error_frame_then_breaks_the_connection_and_is_recorded()
    {
        _vendor.FailMidStream = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = Json("""{"provider":"openai","model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var frames = await SseReader.UntilBrokenAsync(response, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var last = JsonNode.Parse(frames[^1])!;
        Assert.Equal("provider_error", last["error"]!["type"]!.GetValue<string>());
        Assert.Contains("server had an error", last["error"]!["message"]!.GetValue<string>());
        Assert.DoesNotContain("[DONE]", frames);

        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(UsageStatuses.VendorError, row.Status);
        Assert.True(row.Estimated);
    }

    [Fact]
    public async Task A_vendor_that_never_answers_times_out_with_504()
    {
        _vendor.HoldStreamAfterFirstChunk = null;
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = "sk-any",
            ["LlmProxy:Providers:openai:BaseUrl"] = silent.BaseUrl.ToString(),
            ["LlmProxy:Providers:openai:TimeoutSeconds"] = "1",
        });

        var response = await host.Client.PostAsync("/api/llm-proxy",
            Json("""{"provider":"openai","model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("provider_timeout", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Usage_events_survive_shutdown_the_outbox_is_drained()
    {
        var outbox = _host.Services.GetRequiredService<UsageOutbox>();
        const int count = 500;
        for (var i = 0; i < count; i++)
        {
            await outbox.AddAsync(new UsageEvent
            {
                Id = $"drain-{i}", TenantId = "acme", UserId = "ana", Provider = "openai", Model = "gpt-4o-mini",
                PromptTokens = 1, CompletionTokens = 1, Status = UsageStatuses.Ok, Timestamp = DateTimeOffset.UtcNow,
            });
        }

        await _host.StopAsync();

        Assert.Equal(count, (await UsageRows.ReadAsync(_host.DatabasePath)).Count);
    }
}
