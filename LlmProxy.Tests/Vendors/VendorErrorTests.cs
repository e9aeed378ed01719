using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Providers;

namespace LlmProxy.Tests.Vendors;

/// <summary>Vendor error bodies that do not follow the common <c>error.message</c> shape.</summary>
public sealed class VendorErrorTests
{
    [Fact]
    public async Task Gemini_retry_delay_in_the_body_becomes_the_callers_Retry_After()
    {
        await using var rig = await VendorRig.StartAsync("gemini");
        rig.Fake.Failure = (429, "Resource has been exhausted (e.g. check quota).", null);

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"gemini/gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(9), response.Headers.RetryAfter!.Delta);
        Assert.Contains("Resource has been exhausted", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(VendorCase.Names), MemberType = typeof(VendorCase))]
    public async Task A_malformed_vendor_answer_is_a_502_from_the_vendor_not_a_proxy_failure(string provider)
    {
        await using var rig = await VendorRig.StartAsync(provider);
        rig.Fake.RawAnswer = "{\"id\": truncated";

        using var response = await rig.Host.Client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"{{provider}}/{{rig.Case.TextModel}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal(("provider_error", provider), (error["type"]!.GetValue<string>(), error["provider"]!.GetValue<string>()));
        Assert.DoesNotContain("BytePosition", error["message"]!.GetValue<string>()); // what failed, not the parser's inside
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unreachable_vendor_is_named_without_its_address_or_the_socket_error(bool stream)
    {
        var closedPort = ClosedPort();
        var settings = VendorCase.All["openai"].Settings(new Uri($"http://127.0.0.1:{closedPort}/v1/"), "sk-any");
        settings["LlmProxy:Resilience:MaxRetries"] = "0";
        await using var host = await Infrastructure.ProxyHost.StartAsync(settings);

        using var response = await host.Client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"openai/gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("openai", message);
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), message);
        Assert.DoesNotContain("127.0.0.1", message);
        Assert.DoesNotContain("refused", message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    internal static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public void Mistral_validation_errors_keep_the_message_and_the_field()
    {
        var body = new JsonObject
        {
            ["object"] = "error",
            ["message"] = new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = "extra_forbidden", ["loc"] = new JsonArray("body", "stream_options"), ["msg"] = "Extra inputs are not permitted" }) },
            ["type"] = "invalid_request_message_error",
        };

        Assert.Equal("Extra inputs are not permitted (body.stream_options)", VendorErrorMapper.ExtractMessage(Encoding.UTF8.GetBytes(body.ToJsonString())));
    }

    [Fact]
    public void Cohere_and_Anthropic_error_bodies_keep_the_vendors_message()
    {
        Assert.Equal("invalid request: unknown field 'x'", VendorErrorMapper.ExtractMessage("""{"id":"1","message":"invalid request: unknown field 'x'"}"""u8));
        Assert.Equal("Overloaded", VendorErrorMapper.ExtractMessage("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""u8));
    }
}
