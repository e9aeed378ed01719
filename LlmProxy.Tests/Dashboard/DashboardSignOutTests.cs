using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmProxy.Tests.Dashboard;

/// <summary>
/// Dashboard sessions end on the server, not only in the browser: a signed-out cookie replayed is refused, and an
/// operator can sign every session out at once, on every instance within the revocation refresh interval.
/// </summary>
public sealed class DashboardSignOutTests(AzuriteFixture azurite)
{
    private const string AdminKey = "sign-out-test-admin-key-0123456789abcdef";
    private const string Cookie = "llmproxy_admin";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ProxyHost> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        settings ??= [];
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        return ProxyHost.StartAsync(settings, configure: clock is null ? null : b => b.Services.AddSingleton(clock));
    }

    /// <summary>A client that keeps no cookies, so each request carries exactly the cookie the test gives it.</summary>
    private static HttpClient Client(ProxyHost host) => new(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };

    /// <summary>Signs in; returns the session cookie's value and the CSRF token.</summary>
    private static async Task<(string Cookie, string Csrf)> SignInAsync(ProxyHost host)
    {
        using var client = Client(host);
        using var response = await client.PostAsJsonAsync("/usage/login", new { key = AdminKey }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        var value = setCookie[(Cookie.Length + 1)..setCookie.IndexOf(';')];
        return (value, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["csrfToken"]!.GetValue<string>());
    }

    private static async Task<HttpStatusCode> WithCookieAsync(ProxyHost host, HttpMethod method, string path, string cookie, string? csrf = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", $"{Cookie}={cookie}");
        if (csrf is not null) request.Headers.Add("X-CSRF-Token", csrf);
        using var client = Client(host);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_signed_out_cookie_replayed_is_refused()
    {
        await using var host = await StartAsync();
        var (signedOut, _) = await SignInAsync(host);
        var (other, _) = await SignInAsync(host);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", signedOut));

        Assert.Equal(HttpStatusCode.NoContent, await WithCookieAsync(host, HttpMethod.Post, "/usage/logout", signedOut));

        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", signedOut));
        Assert.Equal(HttpStatusCode.NoContent, await WithCookieAsync(host, HttpMethod.Get, "/usage/session", signedOut));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", other));
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_and_a_new_sign_in_works()
    {
        await using var host = await StartAsync();
        var (first, csrf) = await SignInAsync(host);
        var (second, _) = await SignInAsync(host);

        Assert.Equal(HttpStatusCode.Forbidden, await WithCookieAsync(host, HttpMethod.Post, "/api/admin/sessions/revoke", first)); // a write needs its CSRF token
        Assert.Equal(HttpStatusCode.NoContent, await WithCookieAsync(host, HttpMethod.Post, "/api/admin/sessions/revoke", first, csrf));

        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", first));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", second));
        var (fresh, _) = await SignInAsync(host);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(host, HttpMethod.Get, "/api/admin/overview", fresh));
    }

    [Fact]
    public async Task Signing_out_everywhere_on_one_instance_reaches_another_within_the_refresh_interval()
    {
        // Two instances on one Table store, each with its own clock; the second one has read the revocations before.
        var settings = TestStores.Settings(StoreKindUnderTest.Tables, azurite);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var one = await StartAsync(new(settings), clock);
        await using var two = await StartAsync(new(settings), clock);
        var (cookie, csrf) = await SignInAsync(one);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(two, HttpMethod.Get, "/api/admin/overview", cookie));

        Assert.Equal(HttpStatusCode.NoContent, await WithCookieAsync(one, HttpMethod.Post, "/api/admin/sessions/revoke", cookie, csrf));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(one, HttpMethod.Get, "/api/admin/overview", cookie));
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(two, HttpMethod.Get, "/api/admin/overview", cookie));
    }
}
