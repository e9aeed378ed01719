using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c> over loopback against each vendor's fake, which validates the native request: order,
/// usage and cost, the vendors' batch limits (split and reassembled), quotas, the cache and bad input.
/// </summary>
public sealed class EmbeddingsEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly IReadOnlyDictionary<string, string> Models = new Dictionary<string, string>
    {
        ["openai"] = "text-embedding-3-small",
        ["mistral"] = "mistral-embed",
        ["cohere"] = "embed-v4.0",
        ["gemini"] = "gemini-embedding-001",
        ["azure"] = "text-embedding-3-small",
    };

    public static TheoryData<string> Vendors => new(Models.Keys);

    private static readonly string[] Texts = ["The first text.", "Ünïcødé second — text", "third"];

    private static string Body(string provider, IEnumerable<string> texts, string extra = "") =>
        new JsonObject
        {
            ["model"] = $"{provider}/{Models[provider]}",
            ["input"] = new JsonArray([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["user"] = "ana",
        }.ToJsonString().TrimEnd('}') + extra + "}";

    private static async Task<HttpResponseMessage> PostAsync(ProxyHost host, string body, string? cacheControl = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (cacheControl is not null) request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        return await host.Client.SendAsync(request, Ct);
    }

    private static float[] Vector(JsonNode item) => [.. item["embedding"]!.AsArray().Select(v => v!.GetValue<float>())];

    private static int EstimatedTokens(ProxyHost host, IEnumerable<string> texts) =>
        texts.Sum(host.Services.GetRequiredService<TokenEstimator>().CountText);

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task Each_vendor_answers_one_vector_per_text_in_order_and_the_usage_event_carries_its_billed_tokens(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);

        using var response = await PostAsync(rig.Host, Body(provider, Texts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("list", answer["object"]!.GetValue<string>());
        var data = answer["data"]!.AsArray();
        Assert.Equal(Texts.Length, data.Count);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(("embedding", i), (data[i]!["object"]!.GetValue<string>(), data[i]!["index"]!.GetValue<int>()));
            Assert.Equal(FakeEmbeddings.Vector(Texts[i]), Vector(data[i]!));
        }
        // Gemini reports no usage: the proxy counts the texts with its tokenizer and marks the event estimated.
        var estimated = provider == "gemini";
        var tokens = estimated ? EstimatedTokens(rig.Host, Texts) : Texts.Sum(FakeEmbeddings.Tokens);
        Assert.Equal((tokens, tokens), (answer["usage"]!["prompt_tokens"]!.GetValue<int>(), answer["usage"]!["total_tokens"]!.GetValue<int>()));
        Assert.Equal(provider, answer["provider"]!.GetValue<string>());
        Assert.Single(rig.Fake.Requests);

        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal((provider, Models[provider], "ok", tokens, 0, estimated, false), (row.Provider, row.Model, row.Status, row.PromptTokens, row.CompletionTokens, row.Estimated, row.Stream));
        Assert.True(row.CostUsd > 0);
    }

    [Fact]
    public async Task The_native_requests_carry_each_vendors_own_fields()
    {
        var sent = new Dictionary<string, JsonObject>();
        foreach (var provider in Models.Keys)
        {
            await using var rig = await VendorRig.StartAsync(provider);
            using var response = await PostAsync(rig.Host, Body(provider, Texts, ""","dimensions":3,"input_type":"search_query" """.TrimEnd()));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            sent[provider] = rig.Fake.Requests.Single().Body;
        }

        Assert.Equal("base64", sent["openai"]["encoding_format"]!.GetValue<string>());
        Assert.Equal(3, sent["openai"]["dimensions"]!.GetValue<int>());
        Assert.Equal(3, sent["mistral"]["output_dimension"]!.GetValue<int>());
        Assert.Null(sent["mistral"]["dimensions"]);
        Assert.Equal(("search_query", "float", 3), (sent["cohere"]["input_type"]!.GetValue<string>(), sent["cohere"]["embedding_types"]![0]!.GetValue<string>(), sent["cohere"]["output_dimension"]!.GetValue<int>()));
        var gemini = sent["gemini"]["requests"]!.AsArray();
        Assert.Equal(Texts.Length, gemini.Count);
        Assert.All(gemini, r => Assert.Equal(("models/gemini-embedding-001", "RETRIEVAL_QUERY", 3),
            (r!["model"]!.GetValue<string>(), r["taskType"]!.GetValue<string>(), r["outputDimensionality"]!.GetValue<int>())));
        Assert.Equal(Texts, gemini.Select(r => r!["content"]!["parts"]![0]!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Cohere_gets_search_document_as_input_type_unless_the_caller_names_another()
    {
        await using var rig = await VendorRig.StartAsync("cohere");

        using var response = await PostAsync(rig.Host, Body("cohere", Texts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("search_document", rig.Fake.Requests.Single().Body["input_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Base64_encoding_gives_the_little_endian_float32_values_of_the_same_vectors()
    {
        await using var rig = await VendorRig.StartAsync("cohere");

        using var response = await PostAsync(rig.Host, Body("cohere", Texts, ""","encoding_format":"base64" """.TrimEnd()));

        var data = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["data"]!.AsArray();
        for (var i = 0; i < Texts.Length; i++)
        {
            var bytes = Convert.FromBase64String(data[i]!["embedding"]!.GetValue<string>());
            var values = Enumerable.Range(0, bytes.Length / 4).Select(k => BitConverter.ToSingle(bytes, k * 4)).ToArray();
            Assert.Equal(FakeEmbeddings.Vector(Texts[i]), values);
        }
    }

    [Theory]
    [InlineData("cohere", 250, new[] { 96, 96, 58 })]
    [InlineData("gemini", 201, new[] { 100, 100, 1 })]
    public async Task Texts_beyond_a_vendors_batch_limit_are_sent_in_several_calls_and_put_back_in_order(string provider, int count, int[] calls)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var texts = Enumerable.Range(0, count).Select(i => $"text number {i}").ToList();

        using var response = await PostAsync(rig.Host, Body(provider, texts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["data"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, count), data.Select(d => d!["index"]!.GetValue<int>()));
        Assert.Equal(texts.Select(t => FakeEmbeddings.Vector(t)), data.Select(d => Vector(d!)));
        Assert.Equal(calls, rig.Fake.Requests.Select(r => (r.Body["texts"] ?? r.Body["requests"])!.AsArray().Count));
        await rig.Host.WhenUsageHandledAsync(1);
        Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
    }

    [Fact]
    public async Task Texts_beyond_a_vendors_token_limit_per_request_are_split_by_their_byte_bound()
    {
        await using var rig = await VendorRig.StartAsync("mistral");
        // 40 texts of 1,000 bytes: 40,000 bytes bound the tokens; Mistral takes 16,384 tokens a request.
        var texts = Enumerable.Range(0, 40).Select(i => $"{i:D3}" + new string('x', 997)).ToList();

        using var response = await PostAsync(rig.Host, Body("mistral", texts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([16, 16, 8], rig.Fake.Requests.Select(r => r.Body["input"]!.AsArray().Count));
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["usage"]!["prompt_tokens"]!.GetValue<int>();
        Assert.Equal(texts.Sum(FakeEmbeddings.Tokens), usage);
    }

    [Fact]
    public async Task A_vendor_failing_on_a_later_batch_fails_the_call_but_the_batches_it_answered_are_charged()
    {
        await using var rig = await VendorRig.StartAsync("cohere");
        rig.Fake.Failure = (400, "invalid request: something the fake dislikes", null);
        rig.Fake.FailAfter = 1;
        var texts = Enumerable.Range(0, 100).Select(i => $"text {i}").ToList();

        using var response = await PostAsync(rig.Host, Body("cohere", texts));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, rig.Fake.Requests.Count);
        await rig.Host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(rig.Host.DatabasePath));
        Assert.Equal(("vendor_error", 400, texts.Take(96).Sum(FakeEmbeddings.Tokens)), (row.Status, row.HttpStatus, row.PromptTokens));
    }

    [Fact]
    public async Task Quota_used_rises_by_the_vendor_reported_prompt_tokens()
    {
        await using var rig = await VendorRig.StartAsync("openai", new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultTenantTokens"] = "1000000" });

        using var response = await PostAsync(rig.Host, Body("openai", Texts));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await rig.Host.WhenUsageHandledAsync(1);

        var quota = JsonNode.Parse(await rig.Host.Client.GetStringAsync("/api/quota?userId=ana", Ct))!;
        var billed = Texts.Sum(FakeEmbeddings.Tokens);
        Assert.Equal((billed, 0L), (quota["used"]!.GetValue<long>(), quota["reserved"]!.GetValue<long>()));
        Assert.Equal(billed, quota["tenant"]!["used"]!.GetValue<long>());
    }

    [Fact]
    public async Task Texts_whose_bound_exceeds_the_quota_left_are_refused_before_any_vendor_call()
    {
        await using var rig = await VendorRig.StartAsync("openai", new Dictionary<string, string?> { ["LlmProxy:Quota:DefaultUserTokens"] = "100" });

        using var response = await PostAsync(rig.Host, Body("openai", [new string('a', 97)]));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("insufficient_quota", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task An_exact_repeat_comes_from_the_cache_in_either_encoding_and_is_logged_as_cached()
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var first = await PostAsync(rig.Host, Body("openai", Texts));
        using var second = await PostAsync(rig.Host, Body("openai", Texts, ""","encoding_format":"base64" """.TrimEnd()));
        using var skipped = await PostAsync(rig.Host, Body("openai", Texts), cacheControl: "no-cache");
        using var other = await PostAsync(rig.Host, Body("openai", [.. Texts, "one more"]));

        Assert.Equal(("MISS", "HIT"), (first.Headers.GetValues("X-Cache").Single(), second.Headers.GetValues("X-Cache").Single()));
        Assert.False(skipped.Headers.Contains("X-Cache"));
        Assert.Equal("MISS", other.Headers.GetValues("X-Cache").Single());
        Assert.Equal(3, rig.Fake.Requests.Count);
        var base64 = JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!["data"]![0]!["embedding"]!.GetValue<string>();
        Assert.Equal(FakeEmbeddings.Vector(Texts[0]), Enumerable.Range(0, 4).Select(k => BitConverter.ToSingle(Convert.FromBase64String(base64), k * 4)));
        await rig.Host.WhenUsageHandledAsync(4);
        Assert.Equal([false, true, false, false], (await UsageRows.ReadAsync(rig.Host.DatabasePath)).Select(r => r.Cached));
    }

    [Theory]
    [InlineData("""{"model":"openai/text-embedding-3-small"}""", "input")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":[]}""", "input")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":["a",""]}""", "input[1]")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":[[1,2,3]]}""", "input")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":"a","encoding_format":"int8"}""", "encoding_format")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":"a","dimensions":0}""", "dimensions")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":"a","input_type":"poetry"}""", "input_type")]
    [InlineData("""{"model":"openai/text-embedding-3-small","input":"a","temperature":1}""", "temperature")]
    [InlineData("""{"model":"text-embedding-3-small","input":"a"}""", "model")]
    [InlineData("""{"model":"openai/gpt-4o-mini","input":"a"}""", "model")]
    [InlineData("""{"model":"deepseek/deepseek-chat","input":"a"}""", "model")]
    [InlineData("""{"model":"nobody/model","input":"a"}""", "model")]
    public async Task What_no_vendor_would_take_is_refused_with_a_400_naming_the_field(string body, string param)
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await PostAsync(rig.Host, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(("invalid_request_error", param), (error["type"]!.GetValue<string>(), error["param"]?.GetValue<string>()));
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task More_texts_than_one_request_may_carry_are_refused()
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await PostAsync(rig.Host, Body("openai", Enumerable.Repeat("a", 2049)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 2048", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_embedding_model_named_on_the_chat_route_is_refused()
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"openai/text-embedding-3-small","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("/v1/embeddings", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_call_without_a_key_is_refused_before_its_body_is_read()
    {
        await using var rig = await VendorRig.StartAsync("openai");

        using var response = await rig.Host.AnonymousClient.PostAsync("/v1/embeddings", new StringContent(Body("openai", Texts), Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task Models_lists_embedding_models_with_their_kind()
    {
        await using var host = await ProxyHost.StartAsync();

        var models = JsonNode.Parse(await host.Client.GetStringAsync("/v1/models", Ct))!["data"]!.AsArray();

        var types = models.ToDictionary(m => m!["id"]!.GetValue<string>(), m => m!["kind"]!.GetValue<string>());
        Assert.Equal("embedding", types["openai/text-embedding-3-small"]);
        Assert.Equal("embedding", types["cohere/embed-v4.0"]);
        Assert.Equal("chat", types["openai/gpt-4o-mini"]);
    }
}
