using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.RequestLog;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace LlmProxy.Tests.Clients;

/// <summary>
/// The OpenAI .NET SDK and Microsoft.Extensions.AI against the running proxy, with their default settings, in front of
/// a fake api.openai.com: what a .NET user gets on the first try.
/// </summary>
public sealed class DotNetClientTests : IAsyncLifetime
{
    private FakeOpenAIVendor _vendor = null!;
    private ProxyHost _host = null!;
    private OpenAIClients _clients = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _vendor = await FakeVendor.StartAsync<FakeOpenAIVendor>();
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:openai:ApiKey"] = FakeOpenAIVendor.Key,
            ["LlmProxy:Providers:openai:BaseUrl"] = _vendor.ProxyBaseUrl.ToString(),
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
            ["LlmProxy:Admin:ApiKey"] = AdminKey,
        });
        _clients = new OpenAIClients(_host, await _host.KeyForAsync(ProxyHost.DefaultTenant));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    private const string AdminKey = ProxyHost.TestAdminKey;

    private async Task ExhaustQuotaOfAsync(string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/quotas?tenantId={ProxyHost.DefaultTenant}&userId={user}")
        {
            Content = new StringContent("""{"tokenLimit":5}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Admin-Key", AdminKey);
        (await _host.AnonymousClient.SendAsync(request, Ct)).EnsureSuccessStatusCode();
    }

    /// <summary>Long enough for the SDK's own backoff (0.8 + 1.6 + 3.2 s), far too short for a wait until the period's end.</summary>
    private static CancellationToken Guard()
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        return limit.Token;
    }

    [Fact]
    public async Task A_quota_refusal_fails_the_OpenAI_SDK_with_insufficient_quota_instead_of_waiting_for_the_period_to_end()
    {
        await ExhaustQuotaOfAsync("ana");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync(
            [new UserChatMessage("Say hello")], new ChatCompletionOptions { EndUserId = "ana" }, Guard()));

        Assert.Equal(429, error.Status);
        Assert.Contains("insufficient_quota", error.Message);
        var response = error.GetRawResponse()!;
        Assert.False(response.Headers.TryGetValue("Retry-After", out _), "a quota refusal carries no Retry-After for the SDK to sleep on");
        Assert.True(response.Headers.TryGetValue(QuotaRefusal.ShouldRetryHeader, out var retry) && retry == "false");
        var period = _host.Services.GetRequiredService<QuotaService>().CurrentPeriod();
        Assert.True(response.Headers.TryGetValue(QuotaRefusal.ResetHeader, out var reset));
        Assert.Equal(period.End.ToUnixTimeSeconds(), long.Parse(reset!, CultureInfo.InvariantCulture));
        var body = JsonNode.Parse(response.Content.ToString())!["error"]!;
        Assert.Equal(("insufficient_quota", "insufficient_quota"), (body["type"]!.GetValue<string>(), body["code"]!.GetValue<string>()));
        // System.ClientModel's default policy retries every 429 three times after its own short backoff (it reads no
        // x-should-retry); what matters is that none of them waited for Retry-After, and nothing reached the vendor.
        Assert.Equal(4, _clients.Requests);
        Assert.Empty(_vendor.Requests);
    }

    [Fact]
    public async Task A_quota_refusal_fails_Microsoft_Extensions_AI_the_same_way()
    {
        await ExhaustQuotaOfAsync("anonymous"); // the user of calls that name none, as Microsoft.Extensions.AI's do

        var error = await Assert.ThrowsAsync<ClientResultException>(() => _clients.Extensions("openai/gpt-4o-mini").GetResponseAsync(
            "Say hello", cancellationToken: Guard()));

        Assert.Equal(429, error.Status);
        Assert.Contains("insufficient_quota", error.Message);
        Assert.Equal(4, _clients.Requests);
    }

    [Fact]
    public async Task GetModel_finds_a_provider_model_id_and_gives_it_a_real_creation_time()
    {
        var model = (await _clients.Models().GetModelAsync("mock/echo", Ct)).Value;

        Assert.Equal(("mock/echo", "mock"), (model.Id, model.OwnedBy));
        Assert.True(model.CreatedAt > new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), $"created is a real time, not {model.CreatedAt:O}");
        var bare = (await _clients.Models().GetModelAsync("gpt-4o-mini", Ct)).Value;
        Assert.Equal("openai/gpt-4o-mini", bare.Id);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => _clients.Models().GetModelAsync("openai/no-such-model", Ct));
        Assert.Equal(404, missing.Status);
        Assert.Contains("model_not_found", missing.Message);
    }

    [Fact]
    public async Task A_bare_model_name_reaches_its_vendor_and_the_answer_names_the_model_as_asked()
    {
        var bare = await _clients.Chat("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: Ct);
        var prefixed = await _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: Ct);
        var extensions = await _clients.Extensions("gpt-4o-mini").GetResponseAsync("Say hello", cancellationToken: Ct);

        Assert.Equal("Hello from the fake vendor.", bare.Value.Content[0].Text);
        Assert.Equal(("gpt-4o-mini", "openai/gpt-4o-mini", "gpt-4o-mini"), (bare.Value.Model, prefixed.Value.Model, extensions.ModelId));
        Assert.All(_vendor.Requests, r => Assert.Equal("gpt-4o-mini", r.Body["model"]!.GetValue<string>()));
        Assert.True(prefixed.GetRawResponse().Headers.TryGetValue("X-LlmProxy-Model", out var vendorModel));
        Assert.Equal("gpt-4o-mini", vendorModel);
    }

    [Fact]
    public async Task A_model_that_names_no_provider_is_blamed_on_the_model_field()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => _clients.Chat("foo/bar").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(400, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!["error"]!;
        Assert.Equal("model", body["param"]!.GetValue<string>());
        Assert.Contains("openai/gpt-4o-mini", body["message"]!.GetValue<string>());
        Assert.Equal(1, _clients.Requests);
    }

    [Fact]
    public async Task The_vendors_error_code_and_param_reach_the_SDK_in_OpenAIs_full_error_shape()
    {
        _vendor.Failure = (400, "This model's maximum context length is 128000 tokens.", null);
        _vendor.FailureDetail = ("context_length_exceeded", "messages");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(400, error.Status);
        Assert.Contains("(invalid_request_error: context_length_exceeded)", error.Message);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!["error"]!.AsObject();
        Assert.Equal(("context_length_exceeded", "messages", "openai"), (body["code"]!.GetValue<string>(), body["param"]!.GetValue<string>(), body["provider"]!.GetValue<string>()));
        Assert.Equal("This model's maximum context length is 128000 tokens.", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_error_body_has_message_type_param_and_code_even_when_null_and_reads_as_plain_text()
    {
        var response = await _host.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"mock/echo","messages":[{"role":"robot","content":"it's <b>"}]}""", Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var error = JsonNode.Parse(text)!["error"]!.AsObject();

        Assert.Equal(["message", "type", "param", "code", "status"], error.Select(p => p.Key).Where(k => k != "provider"));
        Assert.Equal(("invalid_request_error", "invalid_request_error"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        var missing = await (await _host.Client.GetAsync("/v1/models/x'y", Ct)).Content.ReadAsStringAsync(Ct);
        var notFound = JsonNode.Parse(missing)!["error"]!.AsObject();
        Assert.Equal(["message", "type", "param", "code", "status"], notFound.Select(p => p.Key));
        // Readable JSON: an apostrophe or a '<' is written as itself, not as \u0027 or \u003C.
        Assert.Contains("'x'y'", missing);
        Assert.Contains("got 'robot'", text);
    }

    [Fact]
    public async Task A_stream_the_vendor_breaks_fails_in_the_OpenAI_SDK_and_in_Microsoft_Extensions_AI_instead_of_ending_cut_short()
    {
        _vendor.FailMidStream = true;

        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var update in _clients.Chat("openai/gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("Say hello")], cancellationToken: Ct))
            {
                foreach (var part in update.ContentUpdate) text.Append(part.Text);
                finish ??= update.FinishReason;
            }
        });
        // The part sent before the failure arrives whole, and then the call fails: no finish reason, no clean end.
        Assert.Equal(_vendor.StreamPieces[0], text.ToString());
        Assert.Null(finish);

        var streamed = new StringBuilder();
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var update in _clients.Extensions("openai/gpt-4o-mini").GetStreamingResponseAsync("Say hello", cancellationToken: Ct))
                streamed.Append(update.Text);
        });
        Assert.Equal(_vendor.StreamPieces[0], streamed.ToString());
    }

    [Fact]
    public async Task Every_answer_carries_our_request_id_the_vendors_in_its_own_header_and_the_request_log_files_the_call_under_ours()
    {
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        forged.Headers.Add("x-request-id", "chosen-by-the-caller");
        using var answer = await _host.Client.SendAsync(forged, Ct);
        var sdk = await _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        using var refused = await _host.AnonymousClient.PostAsync("/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        using var unknown = await _host.AnonymousClient.GetAsync("/nowhere", Ct);

        var ids = new[] { answer, refused, unknown }.Select(r => r.Headers.GetValues("x-request-id").Single()).ToList();
        Assert.True(sdk.GetRawResponse().Headers.TryGetValue("x-request-id", out var sdkId));
        ids.Add(sdkId!);
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(FakeOpenAIVendor.RequestId, answer.Headers.GetValues("X-Vendor-Request-Id").Single());

        await _host.Services.GetRequiredService<RequestLogWriter>().WhenHandledAsync(2, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var store = _host.Services.GetRequiredService<IRequestLogStore>();
        Assert.NotNull(await store.GetAsync(ids[0], Ct));
        Assert.NotNull(await store.GetAsync(sdkId!, Ct));
        Assert.Null(await store.GetAsync("chosen-by-the-caller", Ct));
    }

    private async Task<List<JsonNode>> StreamAsync(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        var frames = new List<JsonNode>();
        await foreach (var data in SseReader.DataAsync(stream, Ct))
            if (data != "[DONE]") frames.Add(JsonNode.Parse(data)!);
        return frames;
    }

    [Fact]
    public async Task The_usage_chunk_goes_to_OpenAI_callers_only_when_they_ask_while_the_vendor_is_always_asked()
    {
        const string ask = """{"model":"openai/gpt-4o-mini","stream":true,"cache":false,"messages":[{"role":"user","content":"hi"}]""";
        var unasked = await StreamAsync("/v1/chat/completions", ask + "}");
        var asked = await StreamAsync("/v1/chat/completions", ask + ""","stream_options":{"include_usage":true}}""");
        var seed = await StreamAsync("/api/llm-proxy", """{"provider":"openai","model":"gpt-4o-mini","stream":true,"cache":false,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.DoesNotContain(unasked, f => f["usage"] is not null || f["choices"]!.AsArray().Count == 0);
        Assert.Single(asked, f => f["usage"] is not null && f["choices"]!.AsArray().Count == 0);
        Assert.Single(seed, f => f["usage"] is not null);
        Assert.All(_vendor.Requests, r => Assert.True(r.Body["stream_options"]!["include_usage"]!.GetValue<bool>()));
        Assert.All(unasked.Concat(asked), f => Assert.Equal("openai/gpt-4o-mini", f["model"]!.GetValue<string>()));
        Assert.All(seed, f => Assert.Equal("gpt-4o-mini", f["model"]!.GetValue<string>()));

        await _host.WhenUsageHandledAsync(3);
        Assert.All(await UsageRows.ReadAsync(_host.DatabasePath), row => Assert.Equal((11, 7, false), (row.PromptTokens, row.CompletionTokens, row.Estimated)));
    }

    [Fact]
    public async Task A_cache_hit_is_an_answer_of_its_own_with_its_own_id()
    {
        var first = await _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync([new UserChatMessage("same question")], cancellationToken: Ct);
        var again = await _clients.Chat("openai/gpt-4o-mini").CompleteChatAsync([new UserChatMessage("same question")], cancellationToken: Ct);
        var streamed = await StreamAsync("/v1/chat/completions", """{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"same stream"}]}""");
        var replayed = await StreamAsync("/v1/chat/completions", """{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"same stream"}]}""");

        Assert.True(again.GetRawResponse().Headers.TryGetValue("X-Cache", out var cache) && cache == "HIT");
        Assert.Single(_vendor.Requests, r => r.Body["stream"] is null);
        Assert.Equal(first.Value.Content[0].Text, again.Value.Content[0].Text);
        Assert.NotEqual(first.Value.Id, again.Value.Id);
        Assert.True(again.Value.CreatedAt >= first.Value.CreatedAt);
        Assert.Single(replayed.Select(f => f["id"]!.GetValue<string>()).Distinct());
        Assert.NotEqual(streamed[0]["id"]!.GetValue<string>(), replayed[0]["id"]!.GetValue<string>());
    }
}
