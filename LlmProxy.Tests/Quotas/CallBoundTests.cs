using System.Text.Json;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Chat;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Serialization;
using LlmProxy.Core.Usage;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// The bound counts everything a vendor tokenizes in the request, not only the message text: tools, schemas, tool
/// calls and results, unknown fields, images at their per-image cap, and the hidden prompt that tools bring.
/// </summary>
public sealed class CallBoundTests
{
    private static readonly QuotaOptions Quota = new();
    private static readonly CallBounds Bounds = new(Options.Create(Quota), new ModelCatalog(Options.Create(new ModelCatalogOptions())));
    private static readonly TokenEstimator O200k = new();

    private static ProxyCall Call(string json, string provider = "openai", string model = "gpt-4o") =>
        new(JsonSerializer.Deserialize(json, ProxyJsonContext.Default.ChatRequest)!, provider, model, "acme", "ana");

    [Theory]
    [InlineData("Improve this paragraph so that it reads well and keeps its meaning.")]
    [InlineData("Este es un texto de ejemplo que será mejorado usando IA.")]
    [InlineData("这是一个示例文本，将使用人工智能进行改进。日本語のテキストも含まれています。")]
    [InlineData("😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘")]
    [InlineData("aGVsbG8gd29ybGQhIHRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dCBmb3IgdGVzdGluZw==")]
    [InlineData("    indented\n\tcode();\n    return x => x * 2;   // comment")]
    public void The_prompt_part_is_at_least_the_o200k_count_of_the_text_and_its_framing(string text)
    {
        var messages = new[]
        {
            new ChatMessage { Role = "system", Content = MessageContent.FromText("You are terse.") },
            new ChatMessage { Role = "user", Content = MessageContent.FromText(text), Name = "ana" },
        };
        var call = new ProxyCall(new ChatRequest { Model = "gpt-4o", Messages = messages }, "openai", "gpt-4o", "acme", "ana");
        Assert.InRange(Bounds.For(call).PromptTokens, O200k.CountPrompt(messages), long.MaxValue);
    }

    [Fact]
    public void Tool_definitions_count_in_full_with_the_hidden_prompt_they_bring()
    {
        var description = new string('x', 200_000);
        var withTools = Call("""{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","description":"DESCRIPTION","parameters":{"type":"object"}}}]}""".Replace("DESCRIPTION", description));
        var without = Call("""{"messages":[{"role":"user","content":"hi"}]}""");

        Assert.InRange(Bounds.For(withTools).PromptTokens - Bounds.For(without).PromptTokens, 200_000 + CallBounds.HiddenPromptAllowance, 201_000 + CallBounds.HiddenPromptAllowance);
    }

    [Fact]
    public void Response_schemas_tool_calls_tool_results_and_unknown_fields_all_count()
    {
        var plain = Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"}]}""")).PromptTokens;
        var big = new string('y', 10_000);

        Assert.True(Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"description":"BIG"}}}}""".Replace("BIG", big))).PromptTokens >= plain + 10_000 + CallBounds.HiddenPromptAllowance);
        Assert.True(Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":\"BIG\"}"}}]}]}""".Replace("BIG", big))).PromptTokens >= plain + 10_000);
        Assert.True(Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"c1","content":"BIG"}]}""".Replace("BIG", big))).PromptTokens >= plain + 10_000);
        Assert.True(Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"}],"prediction":{"type":"content","content":"BIG"}}""".Replace("BIG", big))).PromptTokens >= plain + 10_000);
    }

    [Fact]
    public void Each_image_counts_the_models_per_image_cap_not_the_size_of_its_data()
    {
        var data = "data:image/png;base64," + Convert.ToBase64String(new byte[90_000]);
        var part = $$$""",{"type":"image_url","image_url":{"url":"{{{data}}}"}}""";
        string Body(int images) => $$$"""{"messages":[{"role":"user","content":[{"type":"text","text":"look"}{{{string.Concat(Enumerable.Repeat(part, images))}}}]}]}""";

        var one = Bounds.For(Call(Body(1))).PromptTokens;
        var three = Bounds.For(Call(Body(3))).PromptTokens;
        Assert.InRange(three - one, 2 * 1_445, 2 * 1_445 + 100);
        // gpt-4o-mini bills an image up to 48,169 tokens; a model the catalog does not know takes the setting.
        Assert.InRange(Bounds.For(Call(Body(1), model: "gpt-4o-mini")).PromptTokens - one, 48_169 - 1_445, 48_169 - 1_445);
        Assert.InRange(Bounds.For(Call(Body(1), "openai", "not-in-catalog")).PromptTokens - one, Quota.ImageTokens - 1_445, Quota.ImageTokens - 1_445);
    }

    [Fact]
    public void The_output_part_is_the_budget_for_each_choice()
    {
        Assert.Equal(3 * 500, Bounds.For(Call("""{"max_completion_tokens":500,"n":3,"messages":[{"role":"user","content":"hi"}]}""")).OutputTokens);
        Assert.Equal(Quota.DefaultMaxTokens, Bounds.For(Call("""{"messages":[{"role":"user","content":"hi"}]}""")).OutputTokens);
    }
}
