using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Fakes;

namespace LlmProxy.Tests.Vendors;

/// <summary>
/// Gemini takes image bytes only inline, so the proxy fetches image URLs itself: guarded against reaching its own
/// network (the resolved address is checked), limited to images, capped in size.
/// </summary>
public sealed class ImageFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent ImageRequest(string url, bool stream = false) => new(
        """{"model":"gemini/gemini-2.5-flash","stream":STREAM,"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"URL"}}]}]}"""
            .Replace("URL", url).Replace("STREAM", stream ? "true" : "false"), Encoding.UTF8, "application/json");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_image_url_is_fetched_and_sent_inline_when_private_networks_are_allowed(bool stream)
    {
        await using var images = await ImageServer.StartAsync(Convert.FromBase64String(VendorCase.PngBase64), 10);
        await using var rig = await VendorRig.StartAsync("gemini", new Dictionary<string, string?> { ["LlmProxy:Images:AllowPrivateNetworks"] = "true" });

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", ImageRequest(new Uri(images.BaseUrl, "cat.png").ToString(), stream), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inline = Assert.Single(rig.Fake.Requests).Body["contents"]![0]!["parts"]![1]!["inlineData"]!;
        Assert.Equal(("image/png", VendorCase.PngBase64), (inline["mimeType"]!.GetValue<string>(), inline["data"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Loopback_is_refused_by_default_even_behind_a_host_name(string host)
    {
        await using var images = await ImageServer.StartAsync(Convert.FromBase64String(VendorCase.PngBase64), 10);
        await using var rig = await VendorRig.StartAsync("gemini");
        var url = $"http://{host}:{images.BaseUrl.Port}/cat.png";

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", ImageRequest(url), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Contains("private or local network", error["message"]!.GetValue<string>());
        Assert.Equal("messages[0].content[1].image_url.url", error["param"]!.GetValue<string>());
        Assert.Empty(rig.Fake.Requests);
    }

    [Theory]
    [InlineData("page.html", HttpStatusCode.BadRequest, "did not return a PNG")]
    [InlineData("big.png", HttpStatusCode.RequestEntityTooLarge, "larger than")]
    [InlineData("missing.png", HttpStatusCode.BadRequest, "HTTP 404")]
    public async Task Only_images_within_the_size_cap_are_fetched(string path, HttpStatusCode expected, string message)
    {
        await using var images = await ImageServer.StartAsync(Convert.FromBase64String(VendorCase.PngBase64), 4096);
        await using var rig = await VendorRig.StartAsync("gemini", new Dictionary<string, string?>
        {
            ["LlmProxy:Images:AllowPrivateNetworks"] = "true",
            ["LlmProxy:Images:MaxBytes"] = "2048",
        });

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", ImageRequest(new Uri(images.BaseUrl, path).ToString()), Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(rig.Fake.Requests);
    }

    [Fact]
    public async Task A_failed_fetch_says_what_failed_without_the_socket_error()
    {
        await using var rig = await VendorRig.StartAsync("gemini", new Dictionary<string, string?> { ["LlmProxy:Images:AllowPrivateNetworks"] = "true" });
        var closedPort = VendorErrorTests.ClosedPort();

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", ImageRequest($"http://127.0.0.1:{closedPort}/cat.png"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("could not be fetched", message);
        Assert.DoesNotContain("refused", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain($"127.0.0.1:{closedPort}", message);
    }
}
