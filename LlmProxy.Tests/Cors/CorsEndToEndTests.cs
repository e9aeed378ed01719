using System.Net;
using System.Text;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmProxy.Tests.Cors;

/// <summary>The API answered to a browser page on another origin: preflight and actual responses, allowed or not.</summary>
public sealed class CorsEndToEndTests
{
    private const string Allowed = "http://app.example:5173";
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<ProxyHost> Start(params string[] origins) =>
        ProxyHost.StartAsync(origins.Select((o, i) => KeyValuePair.Create($"LlmProxy:Cors:AllowedOrigins:{i}", (string?)o))
            .Append(KeyValuePair.Create("LlmProxy:Quota:RequestsPerMinutePerUser", (string?)"0"))
            .ToDictionary());

    private static HttpRequestMessage Preflight(string origin, string method = "POST", string headers = "content-type,authorization")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/llm-proxy");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static HttpRequestMessage Call(string origin, string userId = "cors-user")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy")
        {
            Content = new StringContent($$"""{"provider":"mock","model":"echo","messages":[{"role":"user","content":"hi"}],"userId":"{{userId}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_with_its_origin_methods_and_headers()
    {
        await using var host = await Start("https://other.example", Allowed);
        using var response = await host.Client.SendAsync(Preflight(Allowed), Cancel);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods")!);
        Assert.Equal("content-type,authorization", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
        Assert.Contains("Origin", Header(response, "Vary")!);
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_preflight_from_another_origin_or_for_another_method_gets_no_allow_origin()
    {
        await using var host = await Start(Allowed);
        using var stranger = await host.Client.SendAsync(Preflight("https://evil.example"), Cancel);
        Assert.Null(Header(stranger, "Access-Control-Allow-Origin"));
        Assert.Null(Header(stranger, "Access-Control-Allow-Methods"));

        using var delete = await host.Client.SendAsync(Preflight(Allowed, "DELETE"), Cancel);
        Assert.Null(Header(delete, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Answers_and_refusals_to_an_allowed_origin_carry_allow_origin_and_expose_retry_after()
    {
        await using var host = await Start(Allowed);
        using var ok = await host.Client.SendAsync(Call(Allowed), Cancel);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(Allowed, Header(ok, "Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", Header(ok, "Access-Control-Expose-Headers")!);

        using var bad = new HttpRequestMessage(HttpMethod.Post, "/api/llm-proxy") { Content = new StringContent("{", Encoding.UTF8, "application/json") };
        bad.Headers.Add("Origin", Allowed);
        using var refused = await host.Client.SendAsync(bad, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(Allowed, Header(refused, "Access-Control-Allow-Origin"));

        using var stranger = await host.Client.SendAsync(Call("https://evil.example"), Cancel);
        Assert.Null(Header(stranger, "Access-Control-Allow-Origin"));
        Assert.Contains("Origin", Header(stranger, "Vary")!);
    }

    [Theory]
    [InlineData(new object[] { new string[0] })]
    [InlineData(new object[] { new[] { "" } })]
    public async Task Without_allowed_origins_no_cors_header_is_added(string[] origins)
    {
        await using var host = await Start(origins);
        using var preflight = await host.Client.SendAsync(Preflight(Allowed), Cancel);
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        using var call = await host.Client.SendAsync(Call(Allowed), Cancel);
        Assert.Null(Header(call, "Access-Control-Allow-Origin"));
        Assert.Null(Header(call, "Vary"));
    }

    [Fact]
    public async Task A_star_allows_every_origin_with_a_wildcard()
    {
        await using var host = await Start("*");
        using var call = await host.Client.SendAsync(Call("https://anyone.example"), Cancel);
        Assert.Equal("*", Header(call, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://app.example/path")]
    [InlineData("app.example")]
    [InlineData("ftp://app.example")]
    public async Task A_malformed_origin_setting_stops_the_host_at_start(string origin)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => Start(origin));
        Assert.Contains("LlmProxy:Cors:AllowedOrigins", error.Message);
    }
}
