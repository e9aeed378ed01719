using System.Net;
using LlmProxy.Tests.Infrastructure;
using LlmProxy.Tests.Vendors;

namespace LlmProxy.Tests.Tools;

/// <summary>
/// Tool calls and JSON answers in the response cache: a repeated call is replayed as it was first answered (the same
/// call ids, so the next turn's results still find their calls), and a call that differs only in its tools, tool
/// choice or format is never answered from another's entry.
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

    private static string Ask(string extra) =>
        $$"""{{extra}}"tools":{{ToolCallTests.Tools}},"messages":[{"role":"user","content":"Weather in Paris for two days?"}]""";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_repeated_tool_call_is_replayed_as_first_answered_and_other_tools_or_formats_miss(string provider, bool stream)
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
        Assert.Equal(first.Body, again.Body);
        Assert.Contains("get_weather", first.Body);
        Assert.Equal(["MISS", "MISS", "MISS"], new[] { required.Cache, named.Cache, json.Cache });
        Assert.Contains("get_time", named.Body);
        Assert.Equal(4, rig.Fake.Requests.Count);
    }
}
