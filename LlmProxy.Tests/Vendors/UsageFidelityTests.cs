using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// Prompt-cache and reasoning tokens, as each vendor reports them in its own shape, reach the caller in OpenAI's
/// <c>prompt_tokens_details</c> / <c>completion_tokens_details</c> and the usage event, priced per kind of token.
/// </summary>
public sealed class UsageFidelityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// What each fake reports (in OpenAI's terms: 1,000 prompt tokens of which some cached or written to the cache,
    /// 300 completion tokens of which some reasoning), and the cost worked out by hand from the vendor's list prices
    /// per million tokens in the built-in price book.
    /// </summary>
    private sealed record Expected(int Cached, int CacheWrite, int Reasoning, decimal CostUsd, bool ReportsCached, bool ReportsReasoning);

    private static readonly Dictionary<string, Expected> Cases = new()
    {
        // gpt-4o-mini: 600 x 0.15 + 400 cached x 0.075 + 300 x 0.60 (reasoning billed as output).
        ["openai"] = new(400, 0, 120, 0.000300m, true, true),
        // claude-haiku-4-5: input_tokens 500 x 1 + 400 read x 0.10 + 100 written x 1.25 + 300 x 5.
        ["anthropic"] = new(400, 100, 0, 0.002165m, true, false),
        // gemini-2.5-flash: 600 x 0.30 + 400 cached x 0.03 + 300 (180 candidates + 120 thoughts) x 2.50.
        ["gemini"] = new(400, 0, 120, 0.000942m, true, true),
        // command-a-03-2025 has no cache price: 1000 x 2.50 + 300 x 10.
        ["cohere"] = new(400, 0, 0, 0.0055m, true, false),
        // mistral-small-latest reports neither: 1000 x 0.10 + 300 x 0.30.
        ["mistral"] = new(0, 0, 0, 0.00019m, false, false),
        // deepseek-chat: prompt_cache_hit_tokens 400 x 0.028 + miss 600 x 0.28 + 300 x 0.42.
        ["deepseek"] = new(400, 0, 120, 0.0003052m, true, true),
    };

    public static TheoryData<string, bool> Vendors()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in Cases.Keys)
        foreach (var stream in new[] { false, true })
            data.Add(name, stream);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task Cached_and_reasoning_tokens_reach_the_answer_and_the_event_and_are_priced_apart(string provider, bool stream)
    {
        var expected = Cases[provider];
        await using var rig = await VendorRig.StartAsync(provider);
        (rig.Fake.PromptTokens, rig.Fake.CompletionTokens) = (1000, 300);
        (rig.Fake.CachedPromptTokens, rig.Fake.CacheWriteTokens, rig.Fake.ReasoningTokens) = (expected.Cached, expected.CacheWrite, expected.Reasoning);

        var body = $$"""{"model":"{{provider}}/{{rig.Case.TextModel}}","stream":{{(stream ? "true,\"stream_options\":{\"include_usage\":true}" : "false")}},"user":"ana","messages":[{"role":"user","content":"Say hello"}]}""";
        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = await UsageOfAsync(response, stream);

        Assert.Equal((1000, 300, 1300), (usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>()));
        Assert.Equal(expected.ReportsCached ? expected.Cached : null, usage["prompt_tokens_details"]?["cached_tokens"]?.GetValue<int>());
        Assert.Equal(expected.CacheWrite > 0 ? expected.CacheWrite : null, usage["prompt_tokens_details"]?["cache_write_tokens"]?.GetValue<int>());
        Assert.Equal(expected.ReportsReasoning ? expected.Reasoning : null, usage["completion_tokens_details"]?["reasoning_tokens"]?.GetValue<int>());

        await rig.Host.WhenUsageHandledAsync(1);
        var recorded = Assert.Single(await rig.Host.Services.GetRequiredService<IUsageStore>().ListAsync(ProxyHost.DefaultTenant, "ana", DateTimeOffset.MinValue, 10, Ct));
        Assert.Equal((1000, 300, expected.Cached, expected.CacheWrite, expected.Reasoning, false),
            (recorded.PromptTokens, recorded.CompletionTokens, recorded.CachedPromptTokens, recorded.CacheWriteTokens, recorded.ReasoningTokens, recorded.Estimated));
        Assert.Equal(expected.CostUsd, recorded.CostUsd);
        // The request log shows the same figures for the call.
        await rig.Host.Services.GetRequiredService<RequestLogWriter>().WhenHandledAsync(1, Ct);
        var logged = (await rig.Host.Services.GetRequiredService<IRequestLogStore>().GetAsync(recorded.Id, Ct))!;
        Assert.Equal((expected.Cached, expected.CacheWrite, expected.Reasoning, expected.CostUsd),
            (logged.CachedPromptTokens, logged.CacheWriteTokens, logged.ReasoningTokens, logged.CostUsd));
    }

    /// <summary>The whole answer's usage, or a stream's usage chunk.</summary>
    private static async Task<JsonNode> UsageOfAsync(HttpResponseMessage response, bool stream)
    {
        if (!stream) return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["usage"]!;
        JsonNode? usage = null;
        await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct))
            if (frame != "[DONE]" && JsonNode.Parse(frame)!["usage"] is { } found) usage = found;
        return usage!;
    }
}
