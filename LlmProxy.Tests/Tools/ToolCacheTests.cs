using System.Net;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Tools;

/// <summary>
/// Tool calls and JSON answers in the response cache: a repeated call is replayed with the calls first answered (the
/// same call ids, so the next turn's results still find their calls; the completion itself gets an id of its own), and
/// a call that differs only in its tool choice or format is never answered from another's entry.
/// </summary>
public sealed class ToolCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var vendor in ToolCallTests.ToolVendors)
        {
            data.Add(vendor, false);
            data.Add(vendor, true);
        }
        return data;
    }

    /// <summary>The calls of an answer, whole or streamed (fragments joined by index).</summary>
    private static List<(string Id, string Name, string Arguments)> Calls(string body, bool stream)
    {
        if (!stream)
            return JsonNode.Parse(body)!["choices"]![0]!["message"]!["tool_calls"]!.AsArray()
                .Select(c => (c!["id"]!.GetValue<string>(), c["function"]!["name"]!.GetValue<string>(), c["function"]!["arguments"]!.GetValue<string>())).ToList();
        var calls = new SortedDictionary<int, (string Id, string Name, string Arguments)>();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        foreach (var fragment in JsonNode.Parse(line["data: ".Length..])!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["tool_calls"]?.AsArray() ?? [])
        {
            var index = fragment!["index"]!.GetValue<int>();
            var call = calls.TryGetValue(index, out var known) ? known : (Id: "", Name: "", Arguments: "");
            calls[index] = (fragment["id"]?.GetValue<string>() ?? call.Id, fragment["function"]?["name"]?.GetValue<string>() ?? call.Name,
                call.Arguments + (fragment["function"]?["arguments"]?.GetValue<string>() ?? ""));
        }
        return [.. calls.Values];
    }

    private static string Ask(string extra) =>
        $$"""{{extra}}"tools":{{ToolCallTests.Tools}},"messages":[{"role":"user","content":"Weather in Paris for two days?"}]""";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_repeated_tool_call_is_replayed_with_its_call_ids_and_another_tool_choice_or_format_misses(string provider, bool stream)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        var streamField = stream ? "\"stream\":true," : "";

        async Task<(string Cache, string Body)> CallAsync(string extra)
        {
            using var response = await ToolCallTests.PostAsync(rig.Host, "/v1/chat/completions", ToolCallTests.Body("/v1/chat/completions", rig.Case, Ask(streamField + extra)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (response.Headers.GetValues("X-Cache").Single(), await response.Content.ReadAsStringAsync(Ct));
        }

        var first = await CallAsync("");
        var again = await CallAsync("");
        var required = await CallAsync("\"tool_choice\":\"required\",");
        var named = await CallAsync("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}},");
        var json = await CallAsync("\"response_format\":{\"type\":\"json_object\"},");

        Assert.Equal(("MISS", "HIT"), (first.Cache, again.Cache));
        Assert.Equal("get_weather", Calls(first.Body, stream).Single().Name);
        Assert.Equal(Calls(first.Body, stream), Calls(again.Body, stream));
        Assert.Equal(["MISS", "MISS", "MISS"], new[] { required.Cache, named.Cache, json.Cache });
        Assert.Contains("get_time", named.Body);
        Assert.Equal(4, rig.Fake.Requests.Count);
    }
}
