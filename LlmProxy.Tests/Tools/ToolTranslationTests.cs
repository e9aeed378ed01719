using System.Net;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Tools;

/// <summary>How tool choices, strictness and schemas reach the translating vendors, and what each refuses before any call.</summary>
public sealed class ToolTranslationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonNode Body, JsonObject? Sent)> SendAsync(VendorRig rig, string fields)
    {
        using var response = await ToolCallTests.PostAsync(rig.Host, "/v1/chat/completions",
            ToolCallTests.Body("/v1/chat/completions", rig.Case, fields + """,  "messages":[{"role":"user","content":"Weather?"}]"""));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!, rig.Fake.Requests.LastOrDefault()?.Body);
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"get_time"}}""", "ANY", "get_time")]
    [InlineData("\"required\"", "ANY", null)]
    [InlineData("\"none\"", "NONE", null)]
    public async Task Gemini_gets_tool_choice_as_its_function_calling_config(string choice, string mode, string? allowed)
    {
        await using var rig = await VendorRig.StartAsync("gemini");

        var (status, _, sent) = await SendAsync(rig, $"\"tools\":{ToolCallTests.Tools},\"tool_choice\":{choice}");

        Assert.Equal(HttpStatusCode.OK, status);
        var config = sent!["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal((mode, allowed), (config["mode"]!.GetValue<string>(), config["allowedFunctionNames"]?[0]?.GetValue<string>()));
    }

    [Fact]
    public async Task Gemini_gets_JSON_Schema_translated_to_its_subset()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        const string tools = """
            [{"type":"function","function":{"name":"find","parameters":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
              "properties":{"when":{"type":["string","null"],"format":"date-time"},"unit":{"const":"C"},"place":{"$ref":"#/$defs/place"},
                "either":{"oneOf":[{"type":"string"},{"type":"integer"}]},"tags":{"type":"array","items":{"type":"string"},"examples":[["a"]]}},
              "required":["unit"],"$defs":{"place":{"type":"object","properties":{"city":{"type":"string"}}}}}}}]
            """;

        var (status, _, sent) = await SendAsync(rig, $"\"tools\":{tools}");

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = JsonNode.Parse("""
            {"type":"object","properties":{"when":{"nullable":true,"type":"string","format":"date-time"},"unit":{"enum":["C"]},
              "place":{"type":"object","properties":{"city":{"type":"string"}}},"either":{"anyOf":[{"type":"string"},{"type":"integer"}]},
              "tags":{"type":"array","items":{"type":"string"},"example":["a"]}},"required":["unit"]}
            """);
        var parameters = sent!["tools"]![0]!["functionDeclarations"]![0]!["parameters"];
        Assert.True(JsonNode.DeepEquals(expected, parameters), parameters!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}}""", "tools[0].function.parameters.properties.tags.uniqueItems")]
    [InlineData("""{"type":"object","properties":{"n":{"enum":[1,2]}}}""", "tools[0].function.parameters.properties.n.enum")]
    [InlineData("""{"type":"object","properties":{"node":{"$ref":"#"}}}""", "tools[0].function.parameters.properties.node.$ref")]
    [InlineData("""{"type":"object","allOf":[{"type":"object"}]}""", "tools[0].function.parameters.allOf")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "tools[0].function.parameters.additionalProperties")]
    public async Task Gemini_refuses_a_schema_keyword_it_cannot_take_naming_it(string parameters, string param)
    {
        await using var rig = await VendorRig.StartAsync("gemini");

        var (status, body, _) = await SendAsync(rig, """
            "tools":[{"type":"function","function":{"name":"f","parameters":PARAMETERS}}]
            """.Replace("PARAMETERS", parameters));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("unsupported_parameter", param), (body["error"]!["type"]!.GetValue<string>(), body["error"]!["param"]!.GetValue<string>()));
        Assert.Contains("Gemini", body["error"]!["message"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Theory]
    [InlineData("gemini", "\"parallel_tool_calls\":false", "parallel_tool_calls")]
    [InlineData("cohere", "\"parallel_tool_calls\":false", "parallel_tool_calls")]
    [InlineData("deepseek", "\"parallel_tool_calls\":false", "parallel_tool_calls")]
    [InlineData("gemini", "\"strict\":true", "tools[].function.strict")]
    [InlineData("deepseek", "\"strict\":true", "tools[].function.strict")]
    public async Task What_a_vendor_cannot_honour_is_refused_naming_field_and_vendor(string provider, string field, string param)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var tools = field.StartsWith("\"strict\"", StringComparison.Ordinal)
            ? """[{"type":"function","function":{"name":"f",FIELD}}]""".Replace("FIELD", field)
            : ToolCallTests.Tools;

        var (status, body, _) = await SendAsync(rig, $"\"tools\":{tools}" + (field.StartsWith("\"strict\"", StringComparison.Ordinal) ? "" : "," + field));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("unsupported_parameter", param), (body["error"]!["type"]!.GetValue<string>(), body["error"]!["param"]!.GetValue<string>()));
        Assert.Contains(provider == "deepseek" ? "DeepSeek" : provider == "gemini" ? "Gemini" : "Cohere", body["error"]!["message"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task Cohere_gets_a_named_function_as_that_tool_alone_and_required_and_strict_functions_as_strict_tools()
    {
        await using var rig = await VendorRig.StartAsync("cohere");
        const string tools = """
            [{"type":"function","function":{"name":"get_weather","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
             {"type":"function","function":{"name":"get_time","strict":true}}]
            """;

        var (status, _, sent) = await SendAsync(rig, """
            "tools":TOOLS,"tool_choice":{"type":"function","function":{"name":"get_time"}}
            """.Replace("TOOLS", tools));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("REQUIRED", true), (sent!["tool_choice"]!.GetValue<string>(), sent["strict_tools"]!.GetValue<bool>()));
        Assert.Equal("get_time", Assert.Single(sent["tools"]!.AsArray())!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cohere_refuses_strict_on_some_functions_only()
    {
        await using var rig = await VendorRig.StartAsync("cohere");

        var (status, body, _) = await SendAsync(rig, """
            "tools":[{"type":"function","function":{"name":"a","strict":true}},{"type":"function","function":{"name":"b"}}]
            """);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("tools[1].function.strict", body["error"]!["param"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task Gemini_results_are_put_in_the_order_of_the_calls_they_answer()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        const string messages = """
            "tools":TOOLS,"messages":[{"role":"user","content":"Weather and time?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\",\"days\":1}"}},
                {"id":"b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"b","content":"{\"time\":\"10:00\"}"},{"role":"tool","tool_call_id":"a","content":"cold"}]
            """;

        using var response = await ToolCallTests.PostAsync(rig.Host, "/v1/chat/completions",
            ToolCallTests.Body("/v1/chat/completions", rig.Case, messages.Replace("TOOLS", ToolCallTests.Tools)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = rig.Fake.Requests.Single().Body["contents"]![2]!["parts"]!.AsArray();
        Assert.Equal(["get_weather", "get_time"], parts.Select(p => p!["functionResponse"]!["name"]!.GetValue<string>()));
        Assert.Equal("10:00", parts[1]!["functionResponse"]!["response"]!["time"]!.GetValue<string>());
    }
}
