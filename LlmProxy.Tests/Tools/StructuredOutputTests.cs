using System.Net;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Tools;

/// <summary>
/// <c>response_format</c> per vendor: the vendor receives its own form, the answer (whole and streamed) parses as the
/// JSON asked for, and a vendor that cannot honour a schema gets no call: the caller gets a 400 naming field and vendor.
/// </summary>
public sealed class StructuredOutputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"],"additionalProperties":false}""";

    private static readonly Dictionary<string, string> Formats = new()
    {
        ["json_schema"] = """{"type":"json_schema","json_schema":{"name":"forecast","schema":SCHEMA,"strict":true}}""".Replace("SCHEMA", Schema),
        ["json_object"] = """{"type":"json_object"}""",
    };

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var vendor in VendorCase.All.Keys)
        foreach (var format in Formats.Keys)
        foreach (var stream in new[] { false, true })
            data.Add(vendor, format, stream);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_vendor_gets_its_own_form_and_the_answer_parses_as_JSON(string provider, string format, bool stream)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var fields = $$"""
            "stream":{{(stream ? "true" : "false")}},"response_format":{{Formats[format]}},"messages":[{"role":"user","content":"Forecast for Paris as JSON."}]
            """;

        using var response = await ToolCallTests.PostAsync(rig.Host, "/v1/chat/completions", ToolCallTests.Body("/v1/chat/completions", rig.Case, fields));

        if (provider == "deepseek" && format == "json_schema")
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
            Assert.Equal(("unsupported_parameter", "response_format"), (error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
            Assert.Contains("DeepSeek", error["message"]!.GetValue<string>());
            Assert.Empty(rig.Fake.Requests);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string content;
        string? finish;
        if (stream)
        {
            var frames = new List<JsonNode>();
            await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct))
                if (frame != "[DONE]") frames.Add(JsonNode.Parse(frame)!);
            content = string.Concat(frames.Select(f => f["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
            finish = frames.Select(f => f["choices"]!.AsArray().FirstOrDefault()?["finish_reason"]?.GetValue<string>()).Last(f => f is not null);
            Assert.DoesNotContain(frames, f => f["choices"]!.AsArray().FirstOrDefault()?["delta"]?["tool_calls"] is not null);
        }
        else
        {
            var choice = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["choices"]![0]!;
            content = choice["message"]!["content"]!.GetValue<string>();
            finish = choice["finish_reason"]!.GetValue<string>();
            Assert.Null(choice["message"]!["tool_calls"]);
        }
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FakeVendor.FakeArguments), JsonNode.Parse(content)), content);
        Assert.Equal("stop", finish);
        AssertNativeForm(provider, format, rig.Fake.Requests.Single().Body);
    }

    private static void AssertNativeForm(string provider, string format, JsonObject sent)
    {
        var schema = JsonNode.Parse(Schema)!;
        switch (provider)
        {
            case "anthropic":
                var tool = sent["tools"]!.AsArray().Single()!;
                Assert.Equal(format == "json_schema" ? "forecast" : "json_answer", tool["name"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(format == "json_schema" ? schema : JsonNode.Parse("""{"type":"object"}"""), tool["input_schema"]));
                Assert.Equal(("tool", tool["name"]!.GetValue<string>()), (sent["tool_choice"]!["type"]!.GetValue<string>(), sent["tool_choice"]!["name"]!.GetValue<string>()));
                Assert.Null(sent["response_format"]);
                break;
            case "gemini":
                var config = sent["generationConfig"]!;
                Assert.Equal("application/json", config["responseMimeType"]!.GetValue<string>());
                if (format == "json_schema")
                {
                    var translated = schema.DeepClone().AsObject();
                    translated.Remove("additionalProperties");
                    Assert.True(JsonNode.DeepEquals(translated, config["responseSchema"]), config["responseSchema"]!.ToJsonString());
                }
                else Assert.Null(config["responseSchema"]);
                break;
            case "cohere":
                Assert.Equal("json_object", sent["response_format"]!["type"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(format == "json_schema" ? schema : null, sent["response_format"]!["json_schema"]));
                break;
            default:
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Formats[format]), sent["response_format"]));
                break;
        }
    }

    [Fact]
    public async Task On_Anthropic_a_format_with_tools_lets_the_model_call_a_tool_or_answer_in_the_format()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var fields = $$"""
            "tools":{{ToolCallTests.Tools}},"response_format":{{Formats["json_schema"]}},"messages":[{"role":"user","content":"Weather?"}]
            """;

        using var response = await ToolCallTests.PostAsync(rig.Host, "/v1/chat/completions", ToolCallTests.Body("/v1/chat/completions", rig.Case, fields));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = rig.Fake.Requests.Single().Body;
        Assert.Equal(["get_weather", "get_time", "forecast"], sent["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(("any", true), (sent["tool_choice"]!["type"]!.GetValue<string>(), sent["tool_choice"]!["disable_parallel_tool_use"]!.GetValue<bool>()));
        var choice = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["choices"]![0]!;
        Assert.Equal(("tool_calls", "get_weather"), (choice["finish_reason"]!.GetValue<string>(), choice["message"]!["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>()));
    }
}
