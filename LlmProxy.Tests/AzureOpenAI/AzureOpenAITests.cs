using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Identity;
using LlmProxy.Core.Providers.AzureOpenAI;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.AzureOpenAI;

/// <summary>
/// Azure OpenAI through the proxy against a fake resource that authenticates as Azure does: the <c>api-key</c> header,
/// or an Entra ID token from a test credential standing in for the managed identity. The shared vendor suites
/// (<see cref="VendorCase"/>) run whole and streamed chat, tools, structured output, images and embeddings against it
/// with a key; these tests hold what is Azure's own: the two APIs, the token, the content filter.
/// </summary>
public sealed class AzureOpenAITests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Chat(string content, bool stream = false, string model = "gpt-4o-mini") =>
        new JsonObject
        {
            ["model"] = "azure/" + model, ["stream"] = stream, ["user"] = "ana",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        }.ToJsonString();

    private static async Task<HttpResponseMessage> PostAsync(ProxyHost host, string path, string body) =>
        await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) }, HttpCompletionOption.ResponseHeadersRead, Ct);

    private static async Task<List<JsonNode?>> ChunksAsync(HttpResponseMessage response)
    {
        var chunks = new List<JsonNode?>();
        await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(Ct), Ct))
            chunks.Add(frame == "[DONE]" ? null : JsonNode.Parse(frame));
        return chunks;
    }

    /// <summary>The proxy on a fake resource with no key: the test credential signs in, on <paramref name="clock"/>'s time.</summary>
    private static async Task<ProxyHost> StartWithIdentityAsync(FakeAzureOpenAIVendor fake, TokenCredential credential, TimeProvider clock,
        Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["LlmProxy:Providers:azure:BaseUrl"] = fake.RootUrl.ToString();
        return await ProxyHost.StartAsync(settings, configure: b => b.Services.AddSingleton(new EntraTokens(credential, clock, NullLogger<EntraTokens>.Instance)));
    }

    [Fact]
    public async Task A_key_goes_in_the_api_key_header_to_the_v1_API_with_the_deployment_as_model_and_the_filter_results_come_back()
    {
        await using var rig = await VendorRig.StartAsync("azure");

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", Chat("Say hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(rig.Fake.Requests);
        Assert.Equal("/openai/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal(FakeAzureOpenAIVendor.Key, sent.Headers["api-key"]);
        Assert.False(sent.Headers.ContainsKey("authorization"), "a key is never also sent as a bearer token");
        Assert.Equal("gpt-4o-mini", sent.Body["model"]!.GetValue<string>());
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Hello from the fake vendor.", answer["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("safe", answer["prompt_filter_results"]![0]!["content_filter_results"]!["violence"]!["severity"]!.GetValue<string>());
        Assert.False(answer["choices"]![0]!["content_filter_results"]!["violence"]!["filtered"]!.GetValue<bool>());
    }

    [Fact]
    public async Task With_an_api_version_calls_go_to_the_dated_deployment_path()
    {
        await using var rig = await VendorRig.StartAsync("azure", new Dictionary<string, string?> { ["LlmProxy:Providers:azure:ApiVersion"] = "2024-10-21" });

        using var chat = await PostAsync(rig.Host, "/v1/chat/completions", Chat("Say hello", stream: true));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        var text = string.Concat((await ChunksAsync(chat)).Select(c => c?["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        using var embeddings = await PostAsync(rig.Host, "/v1/embeddings", """{"model":"azure/text-embedding-3-small","input":["one","two"]}""");
        Assert.Equal(HttpStatusCode.OK, embeddings.StatusCode);

        Assert.Equal("Hello from the fake vendor.", text);
        Assert.Equal(["/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21"],
            rig.Fake.Requests.Select(r => r.PathAndQuery));
    }

    [Theory]
    [InlineData("2024-10-21&api-key=x")]
    [InlineData("../../admin")]
    [InlineData("2024-10-21\n")]
    public async Task An_api_version_that_is_not_a_date_stops_the_start(string version)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Providers:azure:BaseUrl"] = "http://127.0.0.1:9/", ["LlmProxy:Providers:azure:ApiVersion"] = version,
        }));
        Assert.Contains("ApiVersion", error.Message);
    }

    [Fact]
    public async Task A_deployment_the_resource_lacks_is_a_404_naming_it()
    {
        await using var rig = await VendorRig.StartAsync("azure");

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", Chat("Say hello", model: "no-such-deployment"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("deployment for this resource does not exist", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Without_a_key_the_managed_identity_signs_in_for_the_cognitive_services_scope_and_its_token_serves_until_near_expiry()
    {
        await using var fake = await FakeVendor.StartAsync<FakeAzureOpenAIVendor>();
        var clock = new FakeTimeProvider(Start);
        var credential = new TestCredential(clock, TimeSpan.FromHours(1));
        fake.BearerToken = "entra-token-1";
        await using var host = await StartWithIdentityAsync(fake, credential, clock);

        for (var i = 0; i < 3; i++)
        {
            using var whole = await PostAsync(host, "/v1/chat/completions", Chat($"Whole {i}"));
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        }
        using (var stream = await PostAsync(host, "/v1/chat/completions", Chat("Streamed", stream: true)))
            Assert.Equal("Hello from the fake vendor.", string.Concat((await ChunksAsync(stream)).Select(c => c?["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>())));
        using (var embeddings = await PostAsync(host, "/v1/embeddings", """{"model":"azure/text-embedding-3-small","input":"one"}"""))
            Assert.Equal(HttpStatusCode.OK, embeddings.StatusCode);

        Assert.Equal(1, credential.Requests);
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], credential.Scopes);
        Assert.All(fake.Requests, r => Assert.Equal("Bearer entra-token-1", r.Headers["authorization"]));
        Assert.All(fake.Requests, r => Assert.False(r.Headers.ContainsKey("api-key")));

        // 54 minutes in, the token has 6 left: still used. At 55, within the 5-minute margin, the next call gets a new one.
        clock.Advance(TimeSpan.FromMinutes(54));
        using (var stillFirst = await PostAsync(host, "/v1/chat/completions", Chat("At 54 minutes")))
            Assert.Equal(HttpStatusCode.OK, stillFirst.StatusCode);
        Assert.Equal(1, credential.Requests);

        clock.Advance(TimeSpan.FromMinutes(1));
        fake.BearerToken = "entra-token-2";
        using (var renewed = await PostAsync(host, "/v1/chat/completions", Chat("At 55 minutes")))
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(2, credential.Requests);
        Assert.Equal("Bearer entra-token-2", fake.Requests.Last().Headers["authorization"]);
    }

    [Fact]
    public async Task A_burst_of_calls_at_expiry_asks_the_identity_for_one_token_not_one_each()
    {
        var clock = new FakeTimeProvider(Start);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var credential = new TestCredential(clock, TimeSpan.FromHours(1)) { Gate = release.Task };
        var tokens = new EntraTokens(credential, clock, NullLogger<EntraTokens>.Instance);

        var burst = Enumerable.Range(0, 50).Select(_ => tokens.GetAsync(Ct).AsTask()).ToList();
        await credential.FirstRequest.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.All(burst, t => Assert.False(t.IsCompleted));
        release.SetResult();
        var got = await Task.WhenAll(burst);

        Assert.Equal(1, credential.Requests);
        Assert.All(got, t => Assert.Equal("entra-token-1", t));
    }

    [Fact]
    public async Task A_token_the_credential_says_to_refresh_early_is_refreshed_then()
    {
        var clock = new FakeTimeProvider(Start);
        var credential = new TestCredential(clock, TimeSpan.FromHours(24)) { RefreshAfter = TimeSpan.FromHours(12) };
        var tokens = new EntraTokens(credential, clock, NullLogger<EntraTokens>.Instance);

        Assert.Equal("entra-token-1", await tokens.GetAsync(Ct));
        clock.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Equal("entra-token-1", await tokens.GetAsync(Ct));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("entra-token-2", await tokens.GetAsync(Ct));
    }

    [Fact]
    public async Task An_identity_that_cannot_sign_in_is_a_502_that_does_not_repeat_the_credentials_message()
    {
        await using var fake = await FakeVendor.StartAsync<FakeAzureOpenAIVendor>();
        var clock = new FakeTimeProvider(Start);
        var credential = new TestCredential(clock, TimeSpan.FromHours(1)) { Failure = "ManagedIdentityCredential: client secret s3cr3t-value at http://169.254.169.254/ refused" };
        await using var host = await StartWithIdentityAsync(fake, credential, clock);

        using var response = await PostAsync(host, "/v1/chat/completions", Chat("Say hello"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("provider_authentication_error", error["type"]!.GetValue<string>());
        Assert.DoesNotContain("s3cr3t", error.ToJsonString());
        Assert.DoesNotContain("169.254", error.ToJsonString());
        Assert.Empty(fake.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_the_content_filter_refuses_is_a_400_content_filter_naming_the_category(bool stream)
    {
        await using var rig = await VendorRig.StartAsync("azure");

        using var response = await PostAsync(rig.Host, "/v1/chat/completions", Chat("Tell me " + FakeAzureOpenAIVendor.FilteredPrompt, stream));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("content_filter", error["type"]!.GetValue<string>());
        Assert.Equal("Azure OpenAI's content filter refused the prompt (violence: medium); change the prompt, or the deployment's content filter policy.", error["message"]!.GetValue<string>());
        Assert.Equal("messages", error["param"]!.GetValue<string>());
        Assert.Single(rig.Fake.Requests);
    }

    [Fact]
    public async Task An_answer_the_filter_cuts_off_ends_with_finish_reason_content_filter_and_its_verdicts_whole_and_streamed()
    {
        await using var rig = await VendorRig.StartAsync("azure");

        using var whole = await PostAsync(rig.Host, "/v1/chat/completions", Chat(FakeAzureOpenAIVendor.FilteredAnswer));
        var answer = JsonNode.Parse(await whole.Content.ReadAsStringAsync(Ct))!["choices"]![0]!;
        using var stream = await PostAsync(rig.Host, "/v1/chat/completions", Chat(FakeAzureOpenAIVendor.FilteredAnswer, stream: true));
        var chunks = await ChunksAsync(stream);

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("content_filter", answer["finish_reason"]!.GetValue<string>());
        Assert.Equal("high", answer["content_filter_results"]!["violence"]!["severity"]!.GetValue<string>());
        var last = chunks.Last(c => c?["choices"]?.AsArray().FirstOrDefault()?["finish_reason"] is not null)!["choices"]![0]!;
        Assert.Equal("content_filter", last["finish_reason"]!.GetValue<string>());
        Assert.True(last["content_filter_results"]!["violence"]!["filtered"]!.GetValue<bool>());
        Assert.Null(chunks[^1]);
        // Azure's opening chunk without choices is folded into the first real one: OpenAI code reads choices[0] of each.
        Assert.NotEmpty(chunks[0]!["choices"]!.AsArray());
        Assert.Equal("safe", chunks[0]!["prompt_filter_results"]![0]!["content_filter_results"]!["hate"]!["severity"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_mapped_to_a_built_in_model_is_priced_and_typed_as_that_model()
    {
        await using var rig = await VendorRig.StartAsync("azure", new Dictionary<string, string?>
        {
            ["LlmProxy:Models:azure:prod-embed:BaseModel"] = "openai/text-embedding-3-small",
        });

        var models = JsonNode.Parse(await rig.Host.Client.GetStringAsync("/v1/models", Ct))!["data"]!.AsArray();
        var mini = models.Single(m => m!["id"]!.GetValue<string>() == "azure/gpt-4o-mini")!;
        var openAIMini = models.Single(m => m!["id"]!.GetValue<string>() == "openai/gpt-4o-mini")!;
        using var chat = await PostAsync(rig.Host, "/v1/chat/completions", Chat("Hi", model: "prod-embed"));

        foreach (var field in new[] { "context_window", "vision", "input_price_per_million", "output_price_per_million", "cached_input_price_per_million", "prices_as_of" })
            Assert.Equal(openAIMini[field]?.ToJsonString(), mini[field]?.ToJsonString());
        Assert.Equal(0.15m, mini["input_price_per_million"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.BadRequest, chat.StatusCode);
        Assert.Contains("embedding model", await chat.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_base_model_the_catalog_lacks_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Models:azure:prod:BaseModel"] = "openai/gpt-9-imaginary",
        }));
        Assert.Contains("LlmProxy:Models:azure:prod:BaseModel", error.Message);
    }

    /// <summary>
    /// Stands in for the managed identity: hands out <c>entra-token-N</c> valid for <paramref name="lifetime"/> on the
    /// test's clock, counting requests and recording the scopes asked for.
    /// </summary>
    private sealed class TestCredential(TimeProvider clock, TimeSpan lifetime) : TokenCredential
    {
        private int _requests;

        public int Requests => _requests;
        public List<string> Scopes { get; } = [];
        public Task? Gate { get; init; }
        public TimeSpan? RefreshAfter { get; init; }
        public string? Failure { get; init; }
        public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _requests);
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            FirstRequest.TrySetResult();
            if (Gate is not null) await Gate.WaitAsync(cancellationToken);
            if (Failure is not null) throw new CredentialUnavailableException(Failure);
            var now = clock.GetUtcNow();
            return new AccessToken($"entra-token-{n}", now + lifetime, RefreshAfter is { } after ? now + after : null);
        }
    }
}
