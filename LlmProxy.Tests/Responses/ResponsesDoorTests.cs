using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: OpenAI's Responses body and typed events through the same pipeline as the other doors,
/// translated both ways for every vendor; what has no translation is a 400 naming it, before any vendor is called.
/// </summary>
public sealed partial class ResponsesDoorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Tools = """
        "tools":[{"type":"function","name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}]
        """;

    private static async Task<HttpResponseMessage> PostAsync(ProxyHost host, string body) =>
        await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, Ct);

    private static async Task<List<(string Type, JsonNode Data)>> EventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string, JsonNode)>();
        var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(Ct), (type, data) => JsonNode.Parse(data)!);
        await foreach (var item in parser.EnumerateAsync(Ct)) events.Add((item.EventType, item.Data));
        return events;
    }

    private static string Golden(string name) => Path.Combine(RepositoryPaths.Root, "LlmProxy.Tests", "Golden", name);

    /// <summary>The ids the proxy makes up are random: each becomes its prefix and the order it first appeared in.</summary>
    private static string WithStableIds(string stream)
    {
        var seen = new Dictionary<string, string>();
        return GeneratedId().Replace(stream, m => seen.TryGetValue(m.Value, out var stable) ? stable : seen[m.Value] = $"{m.Groups[1].Value}_{seen.Count}");
    }

    [GeneratedRegex("\\b(resp|msg|fc)_[0-9a-f]{32}\\b")]
    private static partial Regex GeneratedId();

    private static async Task AssertGoldenAsync(string name, HttpResponseMessage response)
    {
        var actual = WithStableIds(await response.Content.ReadAsStringAsync(Ct));
        var golden = Golden(name);
        var expected = File.Exists(golden) ? await File.ReadAllTextAsync(golden, Ct) : "";
        if (actual != expected)
        {
            var written = Path.Combine(Path.GetTempPath(), name);
            await File.WriteAllTextAsync(written, actual, Ct);
            Assert.Fail($"The stream differs from Golden/{name}; what the proxy wrote is in {written}:\n{actual}");
        }
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_streamed_text_answer_is_OpenAIs_events_in_OpenAIs_order_golden()
    {
        await using var host = await ProxyHost.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now)));

        using var response = await PostAsync(host, """{"model":"mock/echo","stream":true,"instructions":"Be brief.","input":"Say hello to the proxy"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        await AssertGoldenAsync("responses.text.sse", response);
    }

    /// <summary>Anthropic's recorded tool-call stream, replayed byte for byte, as the Responses API's events.</summary>
    [Fact]
    public async Task A_streamed_function_call_from_Anthropic_is_OpenAIs_events_in_OpenAIs_order_golden()
    {
        var native = await File.ReadAllBytesAsync(Golden("anthropic.native.sse"), Ct);
        var (app, root) = await LoopbackServer.StartAsync(app => app.MapPost("/{**path}", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.WriteAsync(native, context.RequestAborted);
        }));
        await using var vendor = app;
        await using var host = await ProxyHost.StartAsync(VendorCase.All["anthropic"].Settings(root, "recorded-key"),
            configure: b => b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now)));

        using var response = await PostAsync(host, $$"""{"model":"anthropic/claude-haiku-4-5","stream":true,{{Tools}},"input":"Weather in Paris for two days?"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertGoldenAsync("responses.function_call.sse", response);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Another_vendor_is_translated_both_ways_and_counted_as_on_the_other_doors(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var body = $$"""
            {"model":"anthropic/claude-haiku-4-5","stream":{{(stream ? "true" : "false")}},"instructions":"Be brief.","max_output_tokens":256,"user":"ana",{{Tools}},
             "tool_choice":{"type":"function","name":"get_weather"},"input":[{"role":"user","content":[{"type":"input_text","text":"Weather in Paris for two days?"}]}]}
            """;

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body;
        Assert.Equal(("claude-haiku-4-5", "Be brief.", 256, "get_weather", "tool"), (sent["model"]!.GetValue<string>(), sent["system"]!.ToString(),
            sent["max_tokens"]!.GetValue<int>(), sent["tools"]![0]!["name"]!.GetValue<string>(), sent["tool_choice"]!["type"]!.GetValue<string>()));
        var answer = stream
            ? (await EventsAsync(response)).Single(e => e.Type == "response.completed").Data["response"]!
            : JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("response", "completed", "anthropic/claude-haiku-4-5"), (answer["object"]!.GetValue<string>(), answer["status"]!.GetValue<string>(), answer["model"]!.GetValue<string>()));
        var call = answer["output"]!.AsArray().Single(i => i!["type"]!.GetValue<string>() == "function_call")!;
        Assert.Equal(("get_weather", "completed"), (call["name"]!.GetValue<string>(), call["status"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), JsonNode.Parse(call["arguments"]!.GetValue<string>())));
        Assert.StartsWith("toolu_", call["call_id"]!.GetValue<string>());
        Assert.Equal((11, 7, 18), (answer["usage"]!["input_tokens"]!.GetValue<int>(), answer["usage"]!["output_tokens"]!.GetValue<int>(), answer["usage"]!["total_tokens"]!.GetValue<int>()));

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal(("ana", "anthropic", "ok", 11, 7, stream), (row.UserId, row.Provider, row.Status, row.PromptTokens, row.CompletionTokens, row.Stream));
    }

    [Fact]
    public async Task A_function_call_output_reaches_the_vendor_as_its_tool_result()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        var body = $$"""
            {"model":"gemini/gemini-2.5-flash",{{Tools}},"input":[{"role":"user","content":"Weather?"},
              {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Oslo\",\"days\":1}"},
              {"type":"function_call_output","call_id":"call_1","output":"cold"},{"role":"user","content":"And tomorrow?"}]}
            """;

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Hello from the fake vendor.", answer["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        var contents = rig.Fake.Requests.Single().Body["contents"]!.AsArray();
        Assert.Equal(("Oslo", "get_weather", "And tomorrow?"), (contents[1]!["parts"]![0]!["functionCall"]!["args"]!["city"]!.GetValue<string>(),
            contents[2]!["parts"]![0]!["functionResponse"]!["name"]!.GetValue<string>(), contents[2]!["parts"]![1]!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Text_format_json_schema_reaches_the_vendor_as_its_structured_output()
    {
        await using var rig = await VendorRig.StartAsync("openai");
        const string body = """
            {"model":"openai/gpt-4o-mini","input":"Weather in Paris?","text":{"format":{"type":"json_schema","name":"weather","strict":true,
             "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}}}
            """;

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var format = rig.Fake.Requests.Single().Body["response_format"]!;
        Assert.Equal(("json_schema", "weather", true, "city"), (format["type"]!.GetValue<string>(), format["json_schema"]!["name"]!.GetValue<string>(),
            format["json_schema"]!["strict"]!.GetValue<bool>(), format["json_schema"]!["schema"]!["required"]![0]!.GetValue<string>()));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("weather", answer["text"]!["format"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_answer_cut_short_is_incomplete_with_its_reason()
    {
        await using var host = await ProxyHost.StartAsync();

        using var response = await PostAsync(host, """{"model":"mock/echo","max_output_tokens":2,"input":"one two three four"}""");

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("incomplete", "max_output_tokens", "one two "), (answer["status"]!.GetValue<string>(),
            answer["incomplete_details"]!["reason"]!.GetValue<string>(), answer["output"]![0]!["content"]![0]!["text"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"type":"web_search"}""", "web_search")]
    [InlineData("""{"type":"file_search","vector_store_ids":["vs_1"]}""", "file_search")]
    [InlineData("""{"type":"code_interpreter","container":{"type":"auto"}}""", "code_interpreter")]
    [InlineData("""{"type":"computer_use_preview","display_width":1024,"display_height":768,"environment":"browser"}""", "computer_use_preview")]
    [InlineData("""{"type":"image_generation"}""", "image_generation")]
    public async Task A_hosted_tool_is_refused_with_a_400_naming_it(string tool, string name)
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await PostAsync(rig.Host, $$"""{"model":"openai/gpt-4o-mini","input":"hi","tools":[{{tool}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(("unsupported_parameter", "tools.0.type"), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Contains($"'{name}'", error["message"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Theory]
    [InlineData("""{"model":"mock/echo","input":"hi","previous_response_id":"resp_1"}""", "unsupported_parameter", "previous_response_id")]
    [InlineData("""{"model":"mock/echo","input":[{"type":"item_reference","id":"msg_1"}]}""", "unsupported_parameter", "input.0")]
    [InlineData("""{"model":"mock/echo","input":"hi","reasoning":{"effort":"low"}}""", "unsupported_parameter", "reasoning")]
    [InlineData("""{"model":"mock/echo","input":[{"role":"user","content":[{"type":"input_file","file_id":"file_1"}]}]}""", "unsupported_parameter", "input.0.content.0.type")]
    [InlineData("""{"model":"mock/echo","input":"hi","tool_choice":{"type":"web_search"}}""", "unsupported_parameter", "tool_choice")]
    [InlineData("""{"model":"mock/echo","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}""", "invalid_request_error", "text.format.schema")]
    [InlineData("""{"model":"mock/echo","input":[{"type":"function_call_output","output":"x"}]}""", "invalid_request_error", "input.0.call_id")]
    [InlineData("""{"model":"mock/echo","input":[]}""", "invalid_request_error", "input")]
    [InlineData("""{"input":"hi"}""", "invalid_request_error", "model")]
    [InlineData("""{"model":"mock/echo","input":"hi","max_output_tokens":"ten"}""", "invalid_request_error", "max_output_tokens")]
    [InlineData("""{"model":"mock/echo","input":[{"role":"user","content":[{"type":7}]}]}""", "invalid_request_error", null)]
    [InlineData("[1]", "invalid_request_error", null)]
    public async Task What_cannot_be_translated_is_a_400_naming_the_field(string body, string type, string? param)
    {
        await using var host = await ProxyHost.StartAsync();

        using var response = await PostAsync(host, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal((type, param), (error["type"]!.GetValue<string>(), error["param"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_vendor_failure_mid_stream_ends_with_response_failed()
    {
        await using var rig = await VendorRig.StartAsync("mistral");
        rig.Fake.FailMidStream = true;

        using var response = await PostAsync(rig.Host, """{"model":"mistral/mistral-small-latest","stream":true,"input":"hi"}""");

        var events = await EventsAsync(response);
        Assert.Equal(("response.created", "response.failed"), (events[0].Type, events[^1].Type));
        Assert.Equal("failed", events[^1].Data["response"]!["status"]!.GetValue<string>());
        Assert.NotNull(events[^1].Data["response"]!["error"]!["message"]);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
        await rig.Host.WhenUsageHandledAsync(1);
        Assert.Equal("vendor_error", Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath)).Status);
    }

    [Fact]
    public async Task Quotas_and_the_cache_apply_as_on_the_other_doors()
    {
        await using (var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultUserTokens"] = "1" }))
        {
            using var refused = await PostAsync(host, """{"model":"mock/echo","input":"hi"}""");
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("insufficient_quota", JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        }

        await using var rig = await VendorRig.StartAsync("anthropic");
        const string body = """{"model":"anthropic/claude-haiku-4-5","input":"Say hello"}""";
        using var first = await PostAsync(rig.Host, body);
        var firstAnswer = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!;
        using var second = await PostAsync(rig.Host, body);
        var secondAnswer = JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(("MISS", "HIT"), (first.Headers.GetValues("X-Cache").Single(), second.Headers.GetValues("X-Cache").Single()));
        Assert.Single(rig.Fake.Requests);
        Assert.NotEqual(firstAnswer["id"]!.GetValue<string>(), secondAnswer["id"]!.GetValue<string>());
        Assert.Equal(firstAnswer["output"]![0]!["content"]!.ToJsonString(), secondAnswer["output"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task Concurrent_streams_keep_their_own_ids_sequence_numbers_and_text()
    {
        await using var host = await ProxyHost.StartAsync();

        var streams = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await PostAsync(host, $$"""{"model":"mock/echo","stream":true,"input":"caller {{i}} says hello"}""");
            return (Asked: $"caller {i} says hello", Events: await EventsAsync(response));
        }));

        foreach (var (asked, events) in streams)
        {
            Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()));
            Assert.Equal(asked, string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data["delta"]!.GetValue<string>())));
            Assert.Single(events.Where(e => e.Data["response"] is not null).Select(e => e.Data["response"]!["id"]!.GetValue<string>()).Distinct());
        }
        Assert.Equal(8, streams.Select(s => s.Events[0].Data["response"]!["id"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task A_caller_gone_mid_stream_stops_the_vendor_and_records_only_what_was_sent()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Providers:mock:ChunkDelayMs"] = "100" });
        var words = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i}"));

        var response = await PostAsync(host, $$"""{"model":"mock/echo","stream":true,"user":"canceller","input":"{{words}}"}""");
        var received = 0;
        await foreach (var _ in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct))
            if (++received == 6) break;
        response.Dispose();

        await host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(host.DatabasePath));
        Assert.Equal(("canceller", "client_closed", true), (row.UserId, row.Status, row.Stream));
        Assert.InRange(row.CompletionTokens, 1, 50);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_a_413_before_any_vendor_call()
    {
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:MaxRequestBodyBytes"] = "2048" });
        var items = string.Join(',', Enumerable.Range(0, 200).Select(i => $$"""{"role":"user","content":"item {{i}}"}"""));

        using var response = await PostAsync(host, $$"""{"model":"mock/echo","input":[{{items}}]}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!.GetValue<string>());
        Assert.Empty(await UsageRows.ReadAsync(host.DatabasePath));
    }
}
