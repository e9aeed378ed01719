using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Catalog;
using LlmProxy.Core.Providers.Capabilities;
using LlmProxy.Core.Proxy;
using LlmProxy.Core.Quotas;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Quotas;

/// <summary>
/// The reservation's prompt part must never fall short of what a vendor counts in the request it receives, whatever
/// the request holds. Generated requests (random turns, unicode of every kind, tools with nested schemas, tool calls
/// and results, response schemas, images) go through each vendor adapter to a fake that bills like the vendor: the
/// o200k count of the body it received, each image at its per-image figure, plus any hidden prompt. That bill must
/// stay within the bound of the canonical request.
/// </summary>
public sealed class BoundPropertyTests
{
    private const int RequestsPerVendor = 30;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Text that is hard on a byte bound: few bytes per token, escapes, surrogate pairs, joiners, controls.</summary>
    private static readonly string[] Alphabet =
    [
        "the ", "quota ", "a", "Z", "0", "7", " ", "  ", "\n", "\t", "\r\n", "\"", "\\", "/", "<", ">", "&", "'", "{", "}", "[", "]",
        "é", "ñ", "ß", "ø", "中", "文", "日本", "한국어", "العربية", "עברית", "ह", "ไทย", "😀", "👩‍💻", "🇪🇸", "e\u0301", "\u200d", "\u0001",
        "\u00a0", "\ufeff", "ℵ", "∑", "𝔘", "ᚠ", "ꙮ", "\u2028",
    ];

    private static string Text(Random random, int maxPieces)
    {
        var text = new StringBuilder();
        for (var i = random.Next(1, maxPieces); i > 0; i--) text.Append(Alphabet[random.Next(Alphabet.Length)]);
        return text.ToString();
    }

    private static JsonObject Schema(Random random, int depth)
    {
        var properties = new JsonObject();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var name = "p" + random.Next(1000);
            properties[name] = depth > 0 && random.Next(3) == 0
                ? Schema(random, depth - 1)
                : new JsonObject
                {
                    ["type"] = random.Next(2) == 0 ? "string" : "integer",
                    ["description"] = Text(random, 12),
                };
            if (random.Next(4) == 0) properties[name]!["enum"] = new JsonArray(Text(random, 3), Text(random, 3));
        }
        return new JsonObject { ["type"] = "object", ["description"] = Text(random, 8), ["properties"] = properties };
    }

    /// <summary>A request this vendor takes (its capability table decides on tools and response formats).</summary>
    private static string Request(Random random, VendorCase vendor)
    {
        bool Takes(Feature feature) => VendorCapabilities.Of(vendor.Provider, feature) != Support.Refused;
        var images = vendor.VisionModel is not null && random.Next(3) == 0;
        var messages = new JsonArray();
        if (random.Next(2) == 0) messages.Add(new JsonObject { ["role"] = "system", ["content"] = Text(random, 40) });

        var tools = new JsonArray();
        if (Takes(Feature.Tools))
            for (var i = random.Next(0, 4); i > 0; i--)
                tools.Add(new JsonObject
                {
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = $"tool_{tools.Count}", ["description"] = Text(random, 60), ["parameters"] = Schema(random, 2) },
                });

        for (var round = random.Next(1, 5); round > 0; round--)
        {
            JsonNode content = Text(random, 80);
            if (images && random.Next(2) == 0)
                content = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = Text(random, 20) },
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = VendorCase.PngDataUrl } });
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = content });
            if (tools.Count > 0 && random.Next(2) == 0)
            {
                var calls = new JsonArray();
                for (var c = random.Next(1, 3); c > 0; c--)
                {
                    var arguments = new JsonObject { ["p1"] = Text(random, 30), ["n"] = random.Next() };
                    calls.Add(new JsonObject
                    {
                        ["id"] = $"call{random.Next(10000):D4}{calls.Count}",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = $"tool_{random.Next(tools.Count)}", ["arguments"] = arguments.ToJsonString() },
                    });
                }
                messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = calls });
                foreach (var call in calls)
                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = call!["id"]!.GetValue<string>(), ["content"] = Text(random, 60) });
            }
            else if (round > 1) messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = Text(random, 60) });
        }
        if (messages[^1]!["role"]!.GetValue<string>() != "user") messages.Add(new JsonObject { ["role"] = "user", ["content"] = Text(random, 10) });

        var request = new JsonObject
        {
            ["model"] = $"{vendor.Provider}/{(images ? vendor.VisionModel : vendor.TextModel)}",
            ["max_tokens"] = 3,
            ["messages"] = messages,
        };
        if (tools.Count > 0)
        {
            request["tools"] = tools;
            if (Takes(Feature.ToolChoiceNone)) request["tool_choice"] = "none";
        }
        if (Takes(Feature.JsonSchema) && random.Next(3) == 0)
            request["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = new JsonObject { ["name"] = "answer", ["schema"] = Schema(random, 2) } };
        else if (Takes(Feature.JsonObject) && random.Next(3) == 0)
            request["response_format"] = new JsonObject { ["type"] = "json_object" };
        return request.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task The_bound_covers_what_the_vendor_counts_in_every_generated_request(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider, new Dictionary<string, string?>
        {
            ["LlmProxy:Quota:DefaultUserTokens"] = "0",
            ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
            ["LlmProxy:Cache:Enabled"] = "false",
        });
        rig.Fake.BillsLikeVendor = true;
        var reader = rig.Host.Services.GetRequiredService<RequestReader>();
        var rules = rig.Host.Services.GetRequiredService<CatalogRules>();
        var bounds = rig.Host.Services.GetRequiredService<CallBounds>();
        var random = new Random(provider.GetHashCode(StringComparison.Ordinal) & 0xffff);
        var tightest = 0.0;

        for (var i = 0; i < RequestsPerVendor; i++)
        {
            var body = Request(random, rig.Case);
            using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)} for {body}");

            var bound = bounds.For(rules.Apply(reader.ReadOpenAICompatible(Encoding.UTF8.GetBytes(body), ProxyHost.DefaultTenant)));
            var billed = rig.Fake.Bills.Last();
            Assert.True(billed.PromptTokens <= bound.PromptTokens, $"{provider} billed {billed.PromptTokens} prompt tokens over a bound of {bound.PromptTokens} for {body}");
            Assert.Equal(3, billed.OutputTokens);
            tightest = Math.Max(tightest, (double)billed.PromptTokens / bound.PromptTokens);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{provider}: {RequestsPerVendor} requests, the largest bill was {tightest:P0} of its bound");
    }
}
