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
            default:
                var call = sent["messages"]![1]!["tool_calls"]![0]!;
                Assert.Equal(id, call["id"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(arguments, JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())));
                Assert.Equal(("tool", id, result), (sent["messages"]![2]!["role"]!.GetValue<string>(), sent["messages"]![2]!["tool_call_id"]!.GetValue<string>(), sent["messages"]![2]!["content"]!.GetValue<string>()));
                break;
        }
    }
}
