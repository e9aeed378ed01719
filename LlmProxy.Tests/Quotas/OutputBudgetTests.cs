using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// Every vendor is sent an output budget, under its own name, whether the caller named one or not: a vendor given
/// none may write up to its model's maximum, which no reservation could bound.
/// </summary>
public sealed class OutputBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Where each vendor's request carries the output budget.</summary>
    private static int? SentBudget(string provider, JsonObject sent) => provider switch
    {
        "openai" or "azure" => sent["max_completion_tokens"]?.GetValue<int>(),
        "gemini" => sent["generationConfig"]?["maxOutputTokens"]?.GetValue<int>(),
        _ => sent["max_tokens"]?.GetValue<int>(),
    };

    private static async Task<JsonObject> SendAsync(VendorRig rig, string model, string budget)
    {
        var body = $$"""{"model":"{{rig.Case.Provider}}/{{model}}",{{budget}}"messages":[{"role":"user","content":"Write a long story."}]}""";
        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return rig.Fake.Requests.Last().Body;
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_call_that_names_no_budget_sends_the_configured_default(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider, new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultMaxTokens"] = "321" });

        var sent = await SendAsync(rig, rig.Case.TextModel, "");

        Assert.Equal(321, SentBudget(provider, sent));
        if (provider is "openai" or "azure") Assert.Null(sent["max_tokens"]);
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task The_callers_budget_goes_out_under_the_vendors_name_whichever_name_the_caller_used(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        Assert.Equal(77, SentBudget(provider, await SendAsync(rig, rig.Case.TextModel, "\"max_tokens\":77,")));
        Assert.Equal(78, SentBudget(provider, await SendAsync(rig, rig.Case.TextModel, "\"max_completion_tokens\":78,")));
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini", 16_384)]
    [InlineData("anthropic", "claude-3-opus", 4_096)]
    [InlineData("gemini", "gemini-2.0-flash", 8_192)]
    [InlineData("cohere", "command-a-03-2025", 8_000)]
    [InlineData("deepseek", "deepseek-chat", 8_192)]
    public async Task A_budget_beyond_the_models_most_is_lowered_to_it(string provider, string model, int most)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        Assert.Equal(most, SentBudget(provider, await SendAsync(rig, model, "\"max_tokens\":500000,")));
    }

    [Fact]
    public async Task OpenAI_reasoning_models_get_max_completion_tokens_which_they_accept_where_max_tokens_is_refused()
    {
        await using var rig = await VendorRig.StartAsync("openai");

        var sent = await SendAsync(rig, "o4-mini", "\"max_tokens\":50,");

        Assert.Equal((50, null), (sent["max_completion_tokens"]?.GetValue<int>(), sent["max_tokens"]));
    }
}
