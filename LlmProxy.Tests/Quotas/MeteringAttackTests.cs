using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Quotas;
using LlmProxy.Tests.Fakes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// The attacks of issue 13 on the token quota, against fake vendors that bill like real ones (the prompt is
/// everything they received, the output runs to the budget sent or to a long default): however a caller shapes
/// its calls, the vendor never bills a user more than its limit, and the user is charged at least what was billed.
/// </summary>
public abstract class MeteringAttackTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private const long Limit = 100_000;
    private const string Attacker = "mallory";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<VendorRig> StartAsync(string provider, long userLimit)
    {
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Quota:DefaultUserTokens"] = userLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:Cache:Enabled"] = "false";
        settings[$"LlmProxy:Providers:{provider}:TimeoutSeconds"] = "60";
        var rig = await VendorRig.StartAsync(provider, settings);
        rig.Fake.BillsLikeVendor = true;
        return rig;
    }

    /// <summary>About <paramref name="kilobytes"/> KB of English-like text, different for every seed.</summary>
    private static string Text(int kilobytes, int seed)
    {
        string[] words = ["account", "balance", "report", "quarter", "customer", "invoice", "shipment", "order", "status", "region",
            "summary", "detail", "amount", "currency", "period", "forecast", "target", "metric", "update", "record"];
        var random = new Random(seed);
        var text = new StringBuilder();
        while (text.Length < kilobytes * 1024) text.Append(words[random.Next(words.Length)]).Append(' ');
        return text.ToString();
    }

    /// <summary>
    /// A call carrying a large payload: as tool definitions where the vendor takes tools through the proxy
    /// (OpenAI-compatible), as a long message elsewhere.
    /// </summary>
    private static string Body(VendorRig rig, int kilobytes, int seed, bool stream, int? maxTokens = null)
    {
        var request = new JsonObject
        {
            ["model"] = $"{rig.Case.Provider}/{rig.Case.TextModel}",
            ["user"] = Attacker,
            ["stream"] = stream,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Summarise the account." }),
        };
        if (maxTokens is { } max) request["max_tokens"] = max;
        if (rig.Case.Provider == "openai")
        {
            var tools = new JsonArray();
            for (var i = 0; i < kilobytes / 4; i++)
                tools.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["function"] = new JsonObject
                    {
                        ["name"] = $"lookup_{i}",
                        ["description"] = Text(4, seed * 1000 + i),
                        ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["id"] = new JsonObject { ["type"] = "string" } } },
                    },
                });
            request["tools"] = tools;
            // Offered and billed, not called: the answer is text, as long as the budget allows.
            request["tool_choice"] = "none";
        }
        else request["messages"]!.AsArray().Insert(0, new JsonObject { ["role"] = "system", ["content"] = Text(kilobytes, seed) });
        return request.ToJsonString();
    }

    private static Task<HttpResponseMessage> PostAsync(VendorRig rig, string body, CancellationToken? cancellation = null) =>
        rig.Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, cancellation ?? Ct);

    private static async Task<long> UsedAsync(VendorRig rig) =>
        (await rig.Host.Services.GetRequiredService<QuotaService>().GetStatusAsync(ProxyHost.DefaultTenant, Attacker, Ct)).Used;

    /// <summary>The issue's figures came from 200 KB of tools with <c>max_tokens: 1</c>; without <c>max_tokens</c> the output is unbounded too.</summary>
    [Theory]
    [InlineData("openai", 200, 1)]
    [InlineData("openai", 200, null)]
    [InlineData("openai", 40, null)]
    [InlineData("anthropic", 40, null)]
    [InlineData("gemini", 40, null)]
    public async Task Ten_concurrent_calls_with_large_payloads_bill_within_the_limit_and_are_recorded_as_billed(string provider, int kilobytes, int? maxTokens)
    {
        await using var rig = await StartAsync(provider, Limit);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PostAsync(rig, Body(rig, kilobytes, i, stream: false, maxTokens))));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        await rig.Host.WhenUsageHandledAsync(admitted);
        var used = await UsedAsync(rig);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{kind} {provider} 10 x {kilobytes} KB, max_tokens {maxTokens?.ToString() ?? "none"}: admitted {admitted}, vendor billed {rig.Fake.Billed} (limit {Limit}), recorded used {used}");
        Assert.InRange(rig.Fake.Billed, 0, Limit);
        Assert.Equal(rig.Fake.Billed, used);
        if (kilobytes == 40) Assert.InRange(admitted, 1, 9);
        else Assert.Equal(0, admitted); // 200 KB of tools is more than the whole limit
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task Streams_cut_after_the_first_piece_are_charged_at_least_what_the_vendor_billed(string provider)
    {
        await using var rig = await StartAsync(provider, 100_000_000);
        rig.Fake.HoldStreamAfterFirstChunk = new TaskCompletionSource().Task;

        for (var i = 0; i < 9; i++)
        {
            rig.Fake.ResetStreamSignal();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            using (var response = await PostAsync(rig, Body(rig, 200, i, stream: true)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await foreach (var frame in SseReader.DataAsync(await response.Content.ReadAsStreamAsync(wait.Token), wait.Token))
                    if (JsonNode.Parse(frame)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 })
                        break;
            }
            await rig.Fake.StreamFinished.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }

        await rig.Host.WhenUsageHandledAsync(9);
        var used = await UsedAsync(rig);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind} {provider} 9 streams cut after the first piece: vendor billed {rig.Fake.Billed}, recorded used {used}");
        Assert.Equal(9, rig.Fake.Bills.Count);
        Assert.InRange(used, rig.Fake.Billed, long.MaxValue);
        // Anthropic (message_start) and Gemini (usageMetadata on every frame) report the input in the stream: the
        // charge is then their figure, not the bound, and the output received is counted as they count it.
        if (provider != "openai") Assert.Equal(rig.Fake.Billed, used);
    }

    [Fact]
    public async Task Whole_answers_the_caller_leaves_before_they_come_are_charged_at_least_what_the_vendor_billed()
    {
        await using var rig = await StartAsync("openai", 100_000_000);
        var release = new TaskCompletionSource();
        rig.Fake.HoldWholeAnswer = release.Task;

        for (var i = 0; i < 3; i++)
        {
            using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var call = PostAsync(rig, Body(rig, 40, i, stream: false), leave.Token);
            Assert.True(await rig.Fake.WholeAnswerHeld.WaitAsync(TimeSpan.FromSeconds(30), Ct));
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
        release.SetResult();

        await rig.Host.WhenUsageHandledAsync(3);
        for (var i = 0; i < 3; i++) Assert.True(await rig.Fake.BillSent.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var used = await UsedAsync(rig);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind} openai 3 whole answers left before they came: vendor billed {rig.Fake.Billed}, recorded used {used}");
        Assert.InRange(used, rig.Fake.Billed, long.MaxValue);
    }
}

public sealed class SqliteMeteringAttackTests(AzuriteFixture azurite) : MeteringAttackTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesMeteringAttackTests(AzuriteFixture azurite) : MeteringAttackTests(azurite, StoreKindUnderTest.Tables);
