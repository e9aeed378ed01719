using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Messages;

/// <summary>
/// <c>POST /v1/messages</c>: Anthropic's body and events through the same pipeline as the other doors. Claude models
/// pass through without loss (thinking, cache_control, betas); other vendors are translated both ways.
/// </summary>
public sealed class MessagesDoorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> PostAsync(ProxyHost host, string body, string? beta = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (beta is not null) request.Headers.Add("anthropic-beta", beta);
        return await (client ?? host.Client).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
    }

    private static async Task<List<(string Name, JsonNode Data)>> EventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string, JsonNode)>();
        var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(Ct), (type, data) => JsonNode.Parse(data)!);
        await foreach (var item in parser.EnumerateAsync(Ct)) events.Add((item.EventType, item.Data));
        return events;
    }

    private const string Thinking = """
        "model":"MODEL","max_tokens":2048,"thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"ana"},
        "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
        "messages":[{"role":"user","content":[{"type":"text","text":"Say hello","cache_control":{"type":"ephemeral"}}]}]
        """;

    [Theory]
    [InlineData("anthropic/claude-haiku-4-5")]
    [InlineData("claude-haiku-4-5")]
    public async Task A_Claude_call_passes_through_whole_with_thinking_cache_control_and_betas(string model)
    {
        await using var rig = await VendorRig.StartAsync("anthropic");

        using var response = await PostAsync(rig.Host, "{" + Thinking.Replace("MODEL", model) + "}", beta: "interleaved-thinking-2025-05-14");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(["thinking", "text"], answer["content"]!.AsArray().Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal(("message", "fake-signature", "end_turn"), (answer["type"]!.GetValue<string>(), answer["content"]![0]!["signature"]!.GetValue<string>(), answer["stop_reason"]!.GetValue<string>()));
        var sent = rig.Fake.Requests.Single();
        Assert.Equal("interleaved-thinking-2025-05-14", sent.Headers["anthropic-beta"]);
        Assert.Equal(("claude-haiku-4-5", 1024, "ephemeral"), (sent.Body["model"]!.GetValue<string>(), sent.Body["thinking"]!["budget_tokens"]!.GetValue<int>(),
            sent.Body["messages"]![0]!["content"]![0]!["cache_control"]!["type"]!.GetValue<string>()));
        Assert.Equal("ephemeral", sent.Body["system"]![0]!["cache_control"]!["type"]!.GetValue<string>());
        Assert.Null(sent.Body["stream"]);

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal(("ana", "anthropic", "ok", 11, 7), (row.UserId, row.Provider, row.Status, row.PromptTokens, row.CompletionTokens));
    }

    [Fact]
    public async Task A_passthrough_asks_Anthropic_for_no_more_than_the_budget_the_call_reserved()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");

        using var response = await PostAsync(rig.Host, """{"model":"claude-haiku-4-5","max_tokens":1000000,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(64_000, rig.Fake.Requests.Single().Body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_Claude_stream_passes_through_event_for_event()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");

        using var response = await PostAsync(rig.Host, "{\"stream\":true," + Thinking.Replace("MODEL", "anthropic/claude-haiku-4-5") + "}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = await EventsAsync(response);
        Assert.Equal("message_start", events[0].Name);
        Assert.All(events, e => Assert.Equal(e.Name, e.Data["type"]!.GetValue<string>()));
        Assert.Contains(events, e => e.Data["delta"]?["type"]?.GetValue<string>() == "thinking_delta");
        Assert.Contains(events, e => e.Data["delta"]?["type"]?.GetValue<string>() == "signature_delta");
        Assert.Contains(events, e => e.Name == "ping");
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Equal("Hello from the fake vendor.", string.Concat(events.Select(e => e.Data["delta"]?["text"]?.GetValue<string>())));
        Assert.True(rig.Fake.Requests.Single().Body["stream"]!.GetValue<bool>());
        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal((11, 7, false, true), (row.PromptTokens, row.CompletionTokens, row.Estimated, row.Stream));
    }

    [Fact]
    public async Task A_repeated_Claude_call_is_served_from_the_cache_as_Anthropics_own_answer()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var body = "{" + Thinking.Replace("MODEL", "anthropic/claude-haiku-4-5") + "}";

        using var first = await PostAsync(rig.Host, body);
        var firstAnswer = await first.Content.ReadAsStringAsync(Ct);
        using var second = await PostAsync(rig.Host, body);

        Assert.Equal("HIT", second.Headers.GetValues("X-Cache").Single());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(firstAnswer), JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))));
        Assert.Single(rig.Fake.Requests);
        using var other = await PostAsync(rig.Host, body.Replace("\"budget_tokens\":1024", "\"budget_tokens\":2000"));
        Assert.Equal("MISS", other.Headers.GetValues("X-Cache").Single());
    }

    private const string Tools = """
        "tools":[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}]
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Another_vendor_is_translated_both_ways_tool_use_included(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("openai");
        var body = $$"""
            {"model":"openai/gpt-4o-mini","max_tokens":256,"stream":{{(stream ? "true" : "false")}},"system":"Be brief.",{{Tools}},
             "messages":[{"role":"user","content":"Weather in Paris for two days?"}]}
            """;

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body;
        Assert.Equal(("gpt-4o-mini", "system", "get_weather", 256), (sent["model"]!.GetValue<string>(), sent["messages"]![0]!["role"]!.GetValue<string>(),
            sent["tools"]![0]!["function"]!["name"]!.GetValue<string>(), (sent["max_completion_tokens"] ?? sent["max_tokens"])!.GetValue<int>()));
        JsonNode message;
        if (stream)
        {
            var events = await EventsAsync(response);
            Assert.Equal(["message_start", "ping", "content_block_start"], events.Take(3).Select(e => e.Name));
            Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events.TakeLast(3).Select(e => e.Name));
            var start = events.Single(e => e.Name == "content_block_start").Data["content_block"]!;
            var input = string.Concat(events.Where(e => e.Data["delta"]?["type"]?.GetValue<string>() == "input_json_delta").Select(e => e.Data["delta"]!["partial_json"]!.GetValue<string>()));
            message = new JsonObject
            {
                ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = start["id"]!.GetValue<string>(), ["name"] = start["name"]!.GetValue<string>(), ["input"] = JsonNode.Parse(input) }),
                ["stop_reason"] = events.Single(e => e.Name == "message_delta").Data["delta"]!["stop_reason"]!.GetValue<string>(),
                ["usage"] = events.Single(e => e.Name == "message_delta").Data["usage"]!.DeepClone(),
            };
        }
        else message = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        var use = message["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_use")!;
        Assert.Equal(("call_fake0", "get_weather"), (use["id"]!.GetValue<string>(), use["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), use["input"]));
        Assert.Equal("tool_use", message["stop_reason"]!.GetValue<string>());
        Assert.Equal((11, 7), (message["usage"]!["input_tokens"]!.GetValue<int>(), message["usage"]!["output_tokens"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini")]
    [InlineData("gemini/gemini-2.5-flash")]
    [InlineData("cohere/command-a-03-2025")]
    [InlineData("mistral/mistral-small-latest")]
    public async Task Parallel_calls_of_another_vendor_stream_as_one_well_formed_tool_use_block_each(string model)
    {
        await using var rig = await VendorRig.StartAsync(model.Split('/')[0]);
        rig.Fake.CallTools = ["get_weather", "get_time"];
        var body = $$"""
            {"model":"{{model}}","max_tokens":256,"stream":true,
             "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"} } } },
                      {"name":"get_time","input_schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"} } } }],
             "messages":[{"role":"user","content":"Weather and time in Paris?"}]}
            """;

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await EventsAsync(response);
        // Blocks open, take their deltas and close one at a time, numbered in order, as Anthropic streams them.
        int? open = null;
        var next = 0;
        var uses = new List<(string Id, string Name, string Input)>();
        foreach (var (name, data) in events)
        {
            switch (name)
            {
                case "content_block_start":
                    Assert.Null(open);
                    Assert.Equal(next++, data["index"]!.GetValue<int>());
                    open = data["index"]!.GetValue<int>();
                    if (data["content_block"]!["type"]!.GetValue<string>() == "tool_use")
                        uses.Add((data["content_block"]!["id"]!.GetValue<string>(), data["content_block"]!["name"]!.GetValue<string>(), ""));
                    break;
                case "content_block_delta":
                    Assert.Equal(open, data["index"]!.GetValue<int>());
                    if (data["delta"]!["type"]!.GetValue<string>() == "input_json_delta")
                        uses[^1] = uses[^1] with { Input = uses[^1].Input + data["delta"]!["partial_json"]!.GetValue<string>() };
                    break;
                case "content_block_stop":
                    Assert.Equal(open, data["index"]!.GetValue<int>());
                    open = null;
                    break;
            }
        }
        Assert.Null(open);
        Assert.Equal(["get_weather", "get_time"], uses.Select(u => u.Name));
        Assert.Equal(2, uses.Select(u => u.Id).Distinct().Count());
        Assert.All(uses, u => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), JsonNode.Parse(u.Input))));
        Assert.Equal("tool_use", events.Single(e => e.Name == "message_delta").Data["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_result_turn_reaches_another_vendor_as_tool_messages()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        var body = """
            {"model":"gemini/gemini-2.5-flash","max_tokens":256,TOOLS,"messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo","days":1}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"cold"},{"type":"text","text":"And tomorrow?"}]}]}
            """.Replace("TOOLS", Tools);

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("Hello from the fake vendor.", "end_turn"), (answer["content"]![0]!["text"]!.GetValue<string>(), answer["stop_reason"]!.GetValue<string>()));
        var contents = rig.Fake.Requests.Single().Body["contents"]!.AsArray();
        Assert.Equal("get_weather", contents[1]!["parts"]![1]!["functionCall"]!["name"]!.GetValue<string>());
        Assert.Equal(("get_weather", "And tomorrow?"), (contents[2]!["parts"]![0]!["functionResponse"]!["name"]!.GetValue<string>(), contents[2]!["parts"]![1]!["text"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "thinking")]
    [InlineData("""{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "model")]
    [InlineData("""{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "max_tokens")]
    [InlineData("""{"model":"claude-haiku-4-5","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "max_tokens")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}""", 400, "invalid_request_error", "document")]
    [InlineData("[1]", 400, "invalid_request_error", "JSON object")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"stop_sequences":"END","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "stop_sequences")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"stop_sequences":[1],"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "stop_sequences")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"stream":"yes","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "stream")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"tools":{"name":"f"},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "tools")]
    [InlineData("""{"model":"openai/gpt-4o-mini","max_tokens":10,"tool_choice":{"type":"auto","disable_parallel_tool_use":"yes"},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "disable_parallel_tool_use")]
    [InlineData("""{"model":"claude-haiku-4-5","max_tokens":10,"metadata":{"user_id":5},"messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "metadata.user_id")]
    [InlineData("""{"model":"claude-haiku-4-5","max_tokens":10,"metadata":"ana","messages":[{"role":"user","content":"hi"}]}""", 400, "invalid_request_error", "metadata")]
    public async Task Refusals_use_Anthropics_error_shape(string body, int status, string type, string mention)
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("error", type), (error["type"]!.GetValue<string>(), error["error"]!["type"]!.GetValue<string>()));
        Assert.Contains(mention, error["error"]!["message"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task A_call_whose_bound_exceeds_the_users_tokens_gets_Anthropics_429_and_Anthropic_is_not_called()
    {
        await using var rig = await VendorRig.StartAsync("anthropic", new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultUserTokens"] = "50" });

        using var response = await PostAsync(rig.Host, """{"model":"claude-haiku-4-5","max_tokens":100,"metadata":{"user_id":"ana"},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        // A used-up quota does not clear before the period ends: no Retry-After, and the Anthropic SDKs read x-should-retry.
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("error", "rate_limit_error"), (error["type"]!.GetValue<string>(), error["error"]!["type"]!.GetValue<string>()));
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task The_per_user_rate_limit_counts_Messages_calls_with_the_user_from_metadata()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 30, TimeSpan.Zero));
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "2" },
            configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        static string Body(string user) => $$"""{"model":"mock/echo","max_tokens":20,"metadata":{"user_id":"{{user}}"},"messages":[{"role":"user","content":"hi"}]}""";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var answer = await PostAsync(host, Body("ana"));
            statuses.Add(answer.StatusCode);
        }
        using var refused = await PostAsync(host, Body("ana"));
        using var other = await PostAsync(host, Body("bob"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter!.Delta);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("rate_limit_error", JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Keys_are_read_from_x_api_key_or_bearer_and_a_missing_one_is_Anthropics_401()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var key = await rig.Host.KeyForAsync(ProxyHost.DefaultTenant);
        const string body = """{"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";

        using var anonymous = await PostAsync(rig.Host, body, client: rig.Host.AnonymousClient);
        rig.Host.AnonymousClient.DefaultRequestHeaders.Add("x-api-key", key);
        using var withApiKey = await PostAsync(rig.Host, body, client: rig.Host.AnonymousClient);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("authentication_error", JsonNode.Parse(await anonymous.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, withApiKey.StatusCode);
    }

    [Fact]
    public async Task A_vendor_failure_mid_stream_ends_with_Anthropics_error_event()
    {
        await using var rig = await VendorRig.StartAsync("mistral");
        rig.Fake.FailMidStream = true;

        using var response = await PostAsync(rig.Host, """{"model":"mistral/mistral-small-latest","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var events = await EventsAsync(response);
        Assert.Equal("error", events[^1].Name);
        Assert.Equal(("error", "api_error"), (events[^1].Data["type"]!.GetValue<string>(), events[^1].Data["error"]!["type"]!.GetValue<string>()));
        await rig.Host.WhenUsageHandledAsync(1);
        Assert.Equal("vendor_error", Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath)).Status);
    }

    [Fact]
    public async Task The_model_list_reads_as_OpenAIs_and_as_Anthropics()
    {
        await using var host = await ProxyHost.StartAsync();

        var list = JsonNode.Parse(await host.Client.GetStringAsync("/v1/models", Ct))!;

        Assert.Equal(("list", false), (list["object"]!.GetValue<string>(), list["has_more"]!.GetValue<bool>()));
        var first = list["data"]![0]!;
        Assert.Equal((first["id"]!.GetValue<string>(), first["id"]!.GetValue<string>(), "model"), (list["first_id"]!.GetValue<string>(), first["display_name"]!.GetValue<string>(), first["type"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.TryParse(first["created_at"]!.GetValue<string>(), out _));
        Assert.Equal(list["data"]!.AsArray()[^1]!["id"]!.GetValue<string>(), list["last_id"]!.GetValue<string>());
    }
}
