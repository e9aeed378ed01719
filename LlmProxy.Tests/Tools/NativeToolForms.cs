using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;

namespace LlmProxy.Tests.Tools;

/// <summary>What each vendor must have received: the offered tools and the results turn, in the vendor's own form.</summary>
public static class NativeToolForms
{
    public static void AssertOffered(string provider, JsonObject sent)
    {
        switch (provider)
        {
            case "anthropic":
                var tool = sent["tools"]![0]!;
                Assert.Equal(("get_weather", "Weather for a city", "object"), (tool["name"]!.GetValue<string>(), tool["description"]!.GetValue<string>(), tool["input_schema"]!["type"]!.GetValue<string>()));
                Assert.Null(sent["tool_choice"]);
                break;
            case "gemini":
                var declaration = sent["tools"]![0]!["functionDeclarations"]![0]!;
                Assert.Equal(("get_weather", "object"), (declaration["name"]!.GetValue<string>(), declaration["parameters"]!["type"]!.GetValue<string>()));
                Assert.Null(sent["toolConfig"]);
                break;
            default:
                Assert.Equal("get_weather", sent["tools"]![0]!["function"]!["name"]!.GetValue<string>());
                break;
        }
    }

    public static void AssertResultTurn(string provider, JsonObject sent, string id, string result)
    {
        var arguments = JsonNode.Parse(FakeVendor.FakeArguments);
        switch (provider)
        {
            case "anthropic":
                var use = sent["messages"]![1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_use")!;
                Assert.Equal((id, "get_weather"), (use["id"]!.GetValue<string>(), use["name"]!.GetValue<string>()));
                Assert.True(JsonNode.DeepEquals(arguments, use["input"]));
                var answer = sent["messages"]![2]!;
                Assert.Equal("user", answer["role"]!.GetValue<string>());
                Assert.Equal(id, answer["content"]![0]!["tool_use_id"]!.GetValue<string>());
                Assert.Equal(result, answer["content"]![0]!["content"]![0]!["text"]!.GetValue<string>());
                break;
            case "gemini":
                var call = sent["contents"]![1]!["parts"]!.AsArray().Single(p => p!["functionCall"] is not null)!["functionCall"]!;
                Assert.Equal("get_weather", call["name"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(arguments, call["args"]));
                Assert.Null(call["id"]);
                var response = sent["contents"]![2]!["parts"]![0]!["functionResponse"]!;
                Assert.Equal(("get_weather", result), (response["name"]!.GetValue<string>(), response["response"]!["result"]!.GetValue<string>()));
                break;
            case "cohere":
                Assert.Equal(FakeCohereVendor.ToolPlan, sent["messages"]![1]!["tool_plan"]!.GetValue<string>());
                goto default;
            default:
                var sentCall = sent["messages"]![1]!["tool_calls"]![0]!;
                Assert.Equal(id, sentCall["id"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(arguments, JsonNode.Parse(sentCall["function"]!["arguments"]!.GetValue<string>())));
                Assert.Equal(("tool", id, result), (sent["messages"]![2]!["role"]!.GetValue<string>(), sent["messages"]![2]!["tool_call_id"]!.GetValue<string>(), sent["messages"]![2]!["content"]!.GetValue<string>()));
                break;
        }
    }
}
