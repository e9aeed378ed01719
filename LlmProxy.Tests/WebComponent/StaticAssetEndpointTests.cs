using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.WebComponent;

/// <summary>The component's bundles and demo page, embedded in the Functions assembly and served over loopback.</summary>
public sealed class StaticAssetEndpointTests : IAsyncLifetime
{
    private static readonly string FilesDirectory = Path.Combine(RepositoryPaths.Root, "LlmProxy.Functions", "StaticAssets", "Files");
    private ProxyHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ai-text-enhancer.umd.js")]
    [InlineData("ai-text-enhancer.es.js")]
    public async Task Bundles_are_served_as_javascript_with_etag_caching_and_cors_for_any_page(string file)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_/js/" + file);
        request.Headers.Add("Origin", "https://customer.example");
        using var response = await _host.Client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.CacheControl.MaxAge);
        Assert.True(response.Headers.ETag is { IsWeak: false });
        // What is embedded is exactly the committed file (the JS suite checks that file matches the TypeScript source).
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(FilesDirectory, "js", file), Cancel), await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task A_matching_If_None_Match_gets_304_without_a_body_and_a_stale_one_the_file()
    {
        using var first = await _host.Client.GetAsync("/_/js/ai-text-enhancer.umd.js", Cancel);
        var etag = first.Headers.ETag!;

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/_/js/ai-text-enhancer.umd.js");
        revalidate.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _host.Client.SendAsync(revalidate, Cancel);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Cancel));

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/_/js/ai-text-enhancer.umd.js");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-build\""));
        using var changed = await _host.Client.SendAsync(stale, Cancel);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEmpty(await changed.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Theory]
    [InlineData("/_/js/nope.js")]
    [InlineData("/_/js/..%2Fdemo.html")]
    [InlineData("/_/js/demo.html")]
    public async Task Unknown_scripts_get_404_with_the_unified_error_body(string path)
    {
        using var response = await _host.Client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!["error"]!;
        Assert.Equal("not_found_error", error["type"]!.GetValue<string>());
        Assert.Equal(404, error["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_demo_page_is_html_under_a_strict_content_security_policy_that_allows_its_own_style_by_hash()
    {
        using var response = await _host.Client.GetAsync("/_/demo", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoCache);
        var html = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<ai-text-enhancer", html);
        Assert.Contains("src=\"js/ai-text-enhancer.es.js\"", html);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("connect-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", csp);
    }
}
