using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Tools;

/// <summary>
/// Tool calling in OpenAI's form through both front doors, for every vendor against its strict fake: the call whole
/// and streamed (fragments as OpenAI streams them), then the turn that brings the results, which must reach the
/// vendor in its own form.
/// </summary>
public sealed class ToolCallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string Tools = """
        [{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object",
          "properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}},
         {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]
        """;

    public static TheoryData<string, string> Doors()
    {
        var data = new TheoryData<string, string>();
        foreach (var vendor in ToolVendors)
        foreach (var door in new[] { "/v1/chat/completions", "/api/llm-proxy" })
            data.Add(vendor, door);
        return data;
    }

    public static readonly string[] ToolVendors = ["openai", "mistral", "deepseek", "anthropic", "gemini", "cohere"];

    /// <summary>A body for <paramref name="door"/>: <c>provider/model</c> on the OpenAI door, <c>provider</c> + <c>model</c> on the seed door.</summary>
    public static string Body(string door, VendorCase vendor, string fields) => door == "/api/llm-proxy"
        ? $$"""{"provider":"{{vendor.Provider}}","model":"{{vendor.TextModel}}",{{fields}}}"""
        : $$"""{"model":"{{vendor.Provider}}/{{vendor.TextModel}}",{{fields}}}""";

    public static async Task<HttpResponseMessage> PostAsync(ProxyHost host, string door, string body) =>
        await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, door) { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, Ct);

    private const string Ask = """ "tools":TOOLS,"messages":[{"role":"user","content":"Weather in Paris for two days?"}] """;

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_whole_tool_call_comes_back_in_OpenAI_form(string provider, string door)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        using var response = await PostAsync(rig.Host, door, Body(door, rig.Case, Ask.Replace("TOOLS", Tools)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["choices"]![0]!;
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        var call = Assert.Single(choice["message"]!["tool_calls"]!.AsArray())!;
        Assert.Equal(("function", "get_weather"), (call["type"]!.GetValue<string>(), call["function"]!["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(call["id"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())));
        Assert.Equal(provider switch { "anthropic" => FakeAnthropicVendor.Preamble, "cohere" => FakeCohereVendor.ToolPlan, _ => null }, choice["message"]!["content"]?.GetValue<string>());
        Assert.True(choice["message"]!.AsObject().ContainsKey("content"), "content is there, null when the answer has no text");
        NativeToolForms.AssertOffered(provider, rig.Fake.Requests.Single().Body);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_streamed_tool_call_arrives_as_OpenAI_fragments(string provider, string door)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        using var response = await PostAsync(rig.Host, door, Body(door, rig.Case, "\"stream\":true,\"stream_options\":{\"include_usage\":true}," + Ask.Replace("TOOLS", Tools)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = new List<string>();
        await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct)) frames.Add(frame);
        Assert.Equal("[DONE]", frames[^1]);
        var fragments = frames[..^1].Select(f => JsonNode.Parse(f)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["tool_calls"])
            .Where(t => t is not null).SelectMany(t => t!.AsArray()).Select(t => t!.AsObject()).ToList();

        var first = fragments[0];
        Assert.Equal(0, first["index"]!.GetValue<int>());
        Assert.Equal(("function", "get_weather"), (first["type"]!.GetValue<string>(), first["function"]!["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(first["id"]!.GetValue<string>()));
        Assert.All(fragments.Skip(1), f => Assert.False(f.ContainsKey("id") || f.ContainsKey("type") || f["function"]!.AsObject().ContainsKey("name"), "later fragments carry only index and arguments"));
        var arguments = string.Concat(fragments.Select(f => f["function"]!["arguments"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), JsonNode.Parse(arguments)), arguments);
        Assert.Contains(frames, f => f.Contains("\"finish_reason\":\"tool_calls\"", StringComparison.Ordinal));
        Assert.Contains(frames, f => f.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task The_tool_results_turn_reaches_the_vendor_in_its_own_form_and_is_answered(string provider, string door)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        using var first = await PostAsync(rig.Host, door, Body(door, rig.Case, Ask.Replace("TOOLS", Tools)));
        var message = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!["choices"]![0]!["message"]!;
        var id = message["tool_calls"]![0]!["id"]!.GetValue<string>();

        var turn = $$"""
            "tools":{{Tools}},"messages":[{"role":"user","content":"Weather in Paris for two days?"},{{message.ToJsonString()}},
              {"role":"tool","tool_call_id":"{{id}}","content":"18 C and sunny"}]
            """;
        using var response = await PostAsync(rig.Host, door, Body(door, rig.Case, turn));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["choices"]![0]!;
        Assert.Equal(("Hello from the fake vendor.", "stop"), (answer["message"]!["content"]!.GetValue<string>(), answer["finish_reason"]!.GetValue<string>()));
        NativeToolForms.AssertResultTurn(provider, rig.Fake.Requests.Last().Body, id, "18 C and sunny");
    }

    [Theory]
    [InlineData("mistral")]
    [InlineData("anthropic")]
    public async Task Ids_the_vendor_would_refuse_are_renamed_alike_for_the_call_and_its_result(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        const string foreign = "call_9f86d081.884c7d65";
        var turn = $$$"""
            "tools":{{{Tools}}},"messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"{{{foreign}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\",\"days\":1}"}}]},
              {"role":"tool","tool_call_id":"{{{foreign}}}","content":"cold"}]
            """;

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", Body("/v1/chat/completions", rig.Case, turn));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body;
        var (callId, resultId) = provider == "mistral"
            ? (sent["messages"]![1]!["tool_calls"]![0]!["id"]!.GetValue<string>(), sent["messages"]![2]!["tool_call_id"]!.GetValue<string>())
            : (sent["messages"]![1]!["content"]![0]!["id"]!.GetValue<string>(), sent["messages"]![2]!["content"]![0]!["tool_use_id"]!.GetValue<string>());
        Assert.Equal(callId, resultId);
        Assert.NotEqual(foreign, callId);
    }

    [Fact]
    public async Task A_call_without_tools_offered_now_still_reaches_Anthropic_with_its_function_declared_and_none_chosen()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        const string turn = """
            "messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"cold"},{"role":"user","content":"Thanks, and now?"}]
            """;

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", Body("/v1/chat/completions", rig.Case, turn));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body;
        Assert.Equal("get_weather", sent["tools"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("none", sent["tool_choice"]!["type"]!.GetValue<string>());
        var results = sent["messages"]![2]!["content"]!.AsArray();
        Assert.Equal(["tool_result", "text"], results.Select(b => b!["type"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "tool", "get_weather")]
    [InlineData("\"required\"", "any", null)]
    [InlineData("\"none\"", "none", null)]
    public async Task Tool_choice_reaches_Anthropic_in_its_form(string choice, string type, string? name)
    {
        await using var rig = await VendorRig.StartAsync("anthropic");

        using var response = await PostAsync(rig.Host, "/v1/chat/completions",
            Body("/v1/chat/completions", rig.Case, $"\"tool_choice\":{choice},\"parallel_tool_calls\":{(type == "none" ? "true" : "false")}," + Ask.Replace("TOOLS", Tools)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body["tool_choice"]!;
        Assert.Equal((type, name), (sent["type"]!.GetValue<string>(), sent["name"]?.GetValue<string>()));
        Assert.Equal(type == "none" ? null : true, sent["disable_parallel_tool_use"]?.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"custom","custom":{"name":"x"}}]}""", "tools[0].type")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"has space"}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}""", "tool_choice")]
    [InlineData("""{"tool_choice":"sometimes","tools":[{"type":"function","function":{"name":"f"}}]}""", "tool_choice")]
    [InlineData("""{"messages":[{"role":"user","content":"x"},{"role":"tool","content":"r"}]}""", "messages[1].tool_call_id")]
    [InlineData("""{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f"}}]}]}""", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("""{"messages":[{"role":"user","content":"x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]}""", "messages[0].tool_calls")]
    public async Task Malformed_tools_are_refused_before_any_vendor_call(string fields, string param)
    {
        await using var rig = await VendorRig.StartAsync("openai");
        var body = JsonNode.Parse(fields)!.AsObject();
        body["model"] = "openai/gpt-4o-mini";
        body["messages"] ??= JsonNode.Parse("""[{"role":"user","content":"hi"}]""");

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["param"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task The_mock_calls_the_offered_function_and_then_answers_its_result()
    {
        await using var host = await ProxyHost.StartAsync();
        using var call = await PostAsync(host, "/v1/chat/completions", $$"""{"model":"mock/echo","stream":true,"tools":{{Tools}},"messages":[{"role":"user","content":"Oslo"}]}""");
        var frames = new List<string>();
        await foreach (var frame in SseReader.DataAsync(await call.Content.ReadAsStreamAsync(Ct), Ct)) frames.Add(frame);
        var arguments = string.Concat(frames[..^1].Select(f => JsonNode.Parse(f)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["tool_calls"]?[0]?["function"]?["arguments"]?.GetValue<string>()));

        Assert.Equal("""{"city":"Oslo","days":0}""", arguments);
    }
}
