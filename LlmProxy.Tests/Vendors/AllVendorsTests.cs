using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// Every vendor through the proxy over loopback against its fake: whole and streamed answers, images, usage and
/// cost, and the vendor's failures mapped to the unified error.
/// </summary>
public sealed class AllVendorsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Body(VendorCase c, string model, bool stream, string userContent) =>
        $$"""{"model":"{{c.Provider}}/{{model}}","stream":{{(stream ? "true,\"stream_options\":{\"include_usage\":true}" : "false")}},"user":"ana","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":{{userContent}}}]}""";

    private static async Task<List<string>> ReadFramesAsync(HttpResponseMessage response)
    {
        var frames = new List<string>();
        await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct)) frames.Add(frame);
        return frames;
    }

    private static async Task<HttpResponseMessage> PostAsync(VendorRig rig, string body) =>
        await rig.Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) },
            HttpCompletionOption.ResponseHeadersRead, Ct);

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_whole_answer_comes_back_as_a_chat_completion_with_usage_and_cost(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        using var response = await PostAsync(rig, Body(rig.Case, rig.Case.TextModel, false, "\"Say hello\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var completion = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("chat.completion", completion["object"]!.GetValue<string>());
        Assert.Equal("Hello from the fake vendor.", completion["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("assistant", completion["choices"]![0]!["message"]!["role"]!.GetValue<string>());
        Assert.Equal("stop", completion["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal((11, 7, 18), (completion["usage"]!["prompt_tokens"]!.GetValue<int>(), completion["usage"]!["completion_tokens"]!.GetValue<int>(), completion["usage"]!["total_tokens"]!.GetValue<int>()));
        Assert.Equal(provider, completion["provider"]!.GetValue<string>());
        Assert.Single(rig.Fake.Requests);

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal((provider, rig.Case.TextModel, "ok", 11, 7, false), (row.Provider, row.Model, row.Status, row.PromptTokens, row.CompletionTokens, row.Estimated));
        Assert.NotNull(row.CostUsd);
        Assert.True(row.CostUsd > 0);
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_stream_is_forwarded_chunk_by_chunk_and_ends_with_the_vendors_usage(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Fake.HoldStreamAfterFirstChunk = release.Task;

        using var response = await PostAsync(rig, Body(rig.Case, rig.Case.TextModel, true, "\"Say hello\""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct).GetAsyncEnumerator(Ct);
        var text = new StringBuilder();
        while (text.Length == 0 && await frames.MoveNextAsync())
            text.Append(JsonNode.Parse(frames.Current)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>());

        Assert.Equal("Hello", text.ToString());
        Assert.False(rig.Fake.StreamFinished.Task.IsCompleted, "the caller has the first piece while the vendor is still streaming");

        release.SetResult();
        var rest = new List<string>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        Assert.Equal("[DONE]", rest[^1]);
        var chunks = rest[..^1].Select(f => JsonNode.Parse(f)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        foreach (var chunk in chunks)
            text.Append(chunk["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>());
        Assert.Equal("Hello from the fake vendor.", text.ToString());
        Assert.Contains(chunks, c => c["choices"]!.AsArray().FirstOrDefault()?["finish_reason"]?.GetValue<string>() == "stop");
        var usage = chunks.Last(c => c["usage"] is not null)["usage"]!;
        Assert.Equal((11, 7), (usage["prompt_tokens"]!.GetValue<int>(), usage["completion_tokens"]!.GetValue<int>()));

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal(("ok", 11, 7, false, true), (row.Status, row.PromptTokens, row.CompletionTokens, row.Estimated, row.Stream));
    }

    public static TheoryData<string, bool> ImageCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in VendorCase.All.Keys)
        foreach (var stream in new[] { false, true })
            data.Add(name, stream);
        return data;
    }

    [Theory]
    [MemberData(nameof(ImageCases))]
    public async Task An_image_reaches_the_vendor_in_its_own_form_or_is_refused_before_any_call(string provider, bool stream)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var content = """[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"DATAURL"}}]""".Replace("DATAURL", VendorCase.PngDataUrl);

        using var response = await PostAsync(rig, Body(rig.Case, rig.Case.VisionModel ?? rig.Case.TextModel, stream, content));

        if (rig.Case.VisionModel is null)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("image", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["message"]!.GetValue<string>());
            Assert.Empty(rig.Fake.Requests);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = stream ? string.Join("", await ReadFramesAsync(response)) : await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("vendor.", answer);
        var sent = Assert.Single(rig.Fake.Requests).Body;
        Assert.Contains(rig.Case.SentImage(sent), new[] { VendorCase.PngBase64, VendorCase.PngDataUrl });
    }

    public static TheoryData<string, int, string?, HttpStatusCode, string> ErrorCases()
    {
        var data = new TheoryData<string, int, string?, HttpStatusCode, string>();
        foreach (var name in VendorCase.All.Keys)
        {
            data.Add(name, 401, null, HttpStatusCode.BadGateway, "provider_authentication_error");
            data.Add(name, 429, "7", HttpStatusCode.TooManyRequests, "provider_rate_limited");
            data.Add(name, 500, null, HttpStatusCode.BadGateway, "provider_error");
        }
        data.Add("anthropic", 529, "3", HttpStatusCode.ServiceUnavailable, "provider_overloaded");
        data.Add("gemini", 503, "2", HttpStatusCode.ServiceUnavailable, "provider_overloaded");
        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Vendor_errors_map_to_the_unified_error_with_the_vendors_message(string provider, int vendorStatus, string? retryAfter, HttpStatusCode expected, string type)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        rig.Fake.Failure = (vendorStatus, "Vendor says no.", retryAfter);

        foreach (var stream in new[] { false, true })
        {
            using var response = await PostAsync(rig, Body(rig.Case, rig.Case.TextModel, stream, "\"hi\""));

            Assert.Equal(expected, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
            Assert.Equal(type, error["type"]!.GetValue<string>());
            Assert.Equal(provider, error["provider"]!.GetValue<string>());
            Assert.Contains("Vendor says no.", error["message"]!.GetValue<string>());
            Assert.DoesNotContain(rig.Fake.ApiKey, error.ToJsonString());
            if (retryAfter is not null) Assert.Equal(TimeSpan.FromSeconds(int.Parse(retryAfter)), response.Headers.RetryAfter!.Delta);
        }

        await rig.Host.WhenUsageHandledAsync(2);
        Assert.All(await UsageRows.ReadAsync(rig.Host.DatabasePath), r => Assert.Equal((UsageStatuses.VendorError, (int)expected), (r.Status, r.HttpStatus)));
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_wrong_proxy_key_is_a_502_not_the_callers_401(string provider)
    {
        var vendorCase = VendorCase.All[provider];
        await using var fake = await vendorCase.StartFake();
        await using var host = await ProxyHost.StartAsync(vendorCase.Settings(fake.ProxyBaseUrl, "wrong-key"));

        using var response = await host.Client.PostAsync("/v1/chat/completions", Json(Body(vendorCase, vendorCase.TextModel, false, "\"hi\"")), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("wrong-key", await response.Content.ReadAsStringAsync(Ct));
        Assert.Single(fake.Requests);
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_vendor_error_mid_stream_sends_an_error_frame_then_breaks_the_connection_and_is_recorded(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        rig.Fake.FailMidStream = true;

        using var response = await PostAsync(rig, Body(rig.Case, rig.Case.TextModel, true, "\"hi\""));
        var frames = await SseReader.UntilBrokenAsync(response, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(frames, f => f.Contains("Hello", StringComparison.Ordinal));
        var error = JsonNode.Parse(frames[^1])!["error"]!;
        Assert.Equal("provider_error", error["type"]!.GetValue<string>());
        Assert.Equal(provider, error["provider"]!.GetValue<string>());
        Assert.DoesNotContain("[DONE]", frames);

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal((UsageStatuses.VendorError, true), (row.Status, row.Estimated));
        Assert.True(row.CompletionTokens > 0, "what was streamed before the error is counted");
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_vendor_that_never_answers_times_out_with_504(string provider)
    {
        var vendorCase = VendorCase.All[provider];
        await using var silent = await SilentVendor.StartAsync();
        await using var host = await ProxyHost.StartAsync(vendorCase.Settings(new Uri(silent.BaseUrl, "/"), "any-key", timeoutSeconds: 1));

        foreach (var stream in new[] { false, true })
        {
            using var response = await host.Client.PostAsync("/v1/chat/completions", Json(Body(vendorCase, vendorCase.TextModel, stream, "\"hi\"")), Ct);
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.Contains("provider_timeout", await response.Content.ReadAsStringAsync(Ct));
        }
    }
}
