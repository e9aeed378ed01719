using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Vendors;

/// <summary>What each vendor actually receives for a canonical request: renames, moves, defaults, and refusals before any call.</summary>
public sealed class TranslationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpResponseMessage Response, JsonObject? Sent)> SendAsync(VendorRig rig, string body)
    {
        var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        return (response, rig.Fake.Requests.LastOrDefault()?.Body);
    }

    private static string Strings(JsonNode? array) => string.Join("|", array!.AsArray().Select(n => n!.GetValue<string>()));

    [Fact]
    public async Task Anthropic_gets_system_on_top_alternating_turns_the_default_output_budget_and_its_own_names()
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var (response, sent) = await SendAsync(rig, """
            {"model":"anthropic/claude-3-opus","user":"ana","stop":["END"],"temperature":0.5,"top_k":40,"messages":[
              {"role":"system","content":"Be brief."},{"role":"developer","content":"Answer in English."},
              {"role":"user","content":"Hi"},{"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]},
              {"role":"assistant","content":"Hello"},{"role":"user","content":"Again"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = rig.Fake.Requests.Single();
        Assert.Equal(("2023-06-01", FakeAnthropicVendor.Key), (request.Headers["anthropic-version"], request.Headers["x-api-key"]));
        Assert.Equal("claude-3-opus-20240229", sent!["model"]!.GetValue<string>());
        Assert.Equal("Be brief.\n\nAnswer in English.", sent["system"]!.GetValue<string>());
        Assert.Equal(1024, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal("END", Strings(sent["stop_sequences"]));
        Assert.Equal(40, sent["top_k"]!.GetValue<int>());
        Assert.Equal("ana", sent["metadata"]!["user_id"]!.GetValue<string>());
        Assert.Equal("user|assistant|user", Strings(new JsonArray(sent["messages"]!.AsArray().Select(m => (JsonNode)m!["role"]!.GetValue<string>()).ToArray())));
        var merged = sent["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(3, merged.Count);
        Assert.Equal("url", merged[2]!["source"]!["type"]!.GetValue<string>());
        Assert.Null(sent["stop"]);
        Assert.Null(sent["user"]);
    }

    [Theory]
    [InlineData("""{"model":"anthropic/claude-haiku-4-5","temperature":1.5,"messages":[{"role":"user","content":"hi"}]}""", "temperature")]
    [InlineData("""{"model":"anthropic/claude-haiku-4-5","logit_bias":{"1":2},"messages":[{"role":"user","content":"hi"}]}""", "logit_bias")]
    [InlineData("""{"model":"anthropic/claude-haiku-4-5","n":2,"messages":[{"role":"user","content":"hi"}]}""", "n")]
    [InlineData("""{"model":"anthropic/claude-haiku-4-5","messages":[{"role":"system","content":"only system"}]}""", "messages")]
    public async Task Anthropic_refuses_what_it_cannot_take_before_calling(string body, string param)
    {
        await using var rig = await VendorRig.StartAsync("anthropic");
        var (response, _) = await SendAsync(rig, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["param"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gemini_gets_system_instruction_user_and_model_turns_and_generation_config(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        var (response, sent) = await SendAsync(rig, $$"""
            {"model":"gemini/gemini-2.5-flash","stream":{{(stream ? "true" : "false")}},"temperature":0.4,"top_p":0.9,"max_tokens":64,"stop":"END","seed":3,"top_k":5,
             "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},
                         {"role":"assistant","content":"Anything else?"},{"role":"user","content":"Yes"}]}
            """);
        await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = rig.Fake.Requests.Single();
        Assert.Equal(stream ? "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" : "/v1beta/models/gemini-2.5-flash:generateContent", request.PathAndQuery);
        Assert.Equal(FakeGeminiVendor.Key, request.Headers["x-goog-api-key"]);
        Assert.Equal("Be brief.", sent!["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        var contents = sent["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user"], contents.Select(c => c!["role"]!.GetValue<string>()));
        Assert.Equal(2, contents[1]!["parts"]!.AsArray().Count);
        var config = sent["generationConfig"]!;
        Assert.Equal((0.4, 0.9, 64, 3, 5), (config["temperature"]!.GetValue<double>(), config["topP"]!.GetValue<double>(), config["maxOutputTokens"]!.GetValue<int>(), config["seed"]!.GetValue<int>(), config["topK"]!.GetValue<int>()));
        Assert.Equal("END", Strings(config["stopSequences"]));
        Assert.Null(sent["model"]);
    }

    [Fact]
    public async Task Gemini_thinking_is_billed_as_output_but_is_not_answer_text()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        (rig.Fake.CompletionTokens, rig.Fake.ReasoningTokens) = (12, 5);

        var (response, _) = await SendAsync(rig, """{"model":"gemini/gemini-2.5-pro","messages":[{"role":"user","content":"Why?"}]}""");

        var completion = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Hello from the fake vendor.", completion["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal((11, 12), (completion["usage"]!["prompt_tokens"]!.GetValue<int>(), completion["usage"]!["completion_tokens"]!.GetValue<int>()));
        Assert.Equal(5, completion["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_Gemini_stream_without_usage_ends_with_the_proxys_estimate()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        ((FakeGeminiVendor)rig.Fake).StreamUsage = false;

        var (response, _) = await SendAsync(rig, """{"model":"gemini/gemini-2.5-flash","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}""");
        var frames = new List<string>();
        await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct)) frames.Add(frame);

        var usage = JsonNode.Parse(frames[^2])!["usage"]!;
        Assert.True(usage["prompt_tokens"]!.GetValue<int>() > 0);
        Assert.True(usage["completion_tokens"]!.GetValue<int>() > 0);
        Assert.Single(frames, f => f.Contains("\"usage\"", StringComparison.Ordinal));
        await rig.Host.WhenUsageHandledAsync(1);
        Assert.True(Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath)).Estimated);
    }

    [Fact]
    public async Task Cohere_gets_p_k_and_stop_sequences_and_a_non_vision_model_gets_no_image()
    {
        await using var rig = await VendorRig.StartAsync("cohere");
        var (response, sent) = await SendAsync(rig, """
            {"model":"cohere/command-a-03-2025","top_p":1.0,"top_k":20,"stop":["END"],"seed":9,"messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"Hi"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((0.99, 20, 9), (sent!["p"]!.GetValue<double>(), sent["k"]!.GetValue<int>(), sent["seed"]!.GetValue<int>()));
        Assert.Equal("END", Strings(sent["stop_sequences"]));
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Null(sent["top_p"]);

        var (refused, _) = await SendAsync(rig, """
            {"model":"cohere/command-r-08-2024","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("does not accept images", await refused.Content.ReadAsStringAsync(Ct));
        Assert.Single(rig.Fake.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mistral_gets_random_seed_and_max_tokens_and_never_stream_options_seed_or_user(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("mistral");
        var (response, sent) = await SendAsync(rig, $$"""
            {"model":"mistral/mistral-large","stream":{{(stream ? "true" : "false")}},"seed":42,"user":"ana","max_completion_tokens":50,"safe_prompt":true,
             "messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"Hi"}]}
            """);
        await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mistral-large-latest", sent!["model"]!.GetValue<string>());
        Assert.Equal((42, 50, true), (sent["random_seed"]!.GetValue<int>(), sent["max_tokens"]!.GetValue<int>(), sent["safe_prompt"]!.GetValue<bool>()));
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());
        foreach (var absent in new[] { "seed", "user", "stream_options", "max_completion_tokens" }) Assert.Null(sent[absent]);

        var (refused, _) = await SendAsync(rig, """{"model":"mistral/mistral-small","logit_bias":{"1":1},"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Single(rig.Fake.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeepSeek_reasoning_content_reaches_the_caller(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("deepseek");
        var (response, _) = await SendAsync(rig, $$"""{"model":"deepseek/deepseek-reasoner","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Why?"}]}""");
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"reasoning_content\":\"" + FakeDeepSeekVendor.Reasoning + "\"", text);
        Assert.DoesNotContain("keep-alive", text);
    }

    [Fact]
    public async Task DeepSeek_refuses_images_itself_even_for_a_model_the_catalog_does_not_know()
    {
        await using var rig = await VendorRig.StartAsync("deepseek");
        var (response, _) = await SendAsync(rig, """
            {"model":"deepseek/deepseek-v9-preview","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("DeepSeek models do not accept images", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(rig.Fake.Requests);
    }
}
