using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Admin;
using LlmProxy.Core.RequestLog;
using LlmProxy.Core.Usage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Dashboard;

/// <summary>The dashboard's session, its CSRF guard, the figures it shows, the quota audit trail and the request log, over HTTP.</summary>
public sealed class DashboardEndToEndTests : IAsyncLifetime
{
    private const string AdminKey = "dashboard-test-admin-key-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private ProxyHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
    {
        ["LlmProxy:Admin:ApiKey"] = AdminKey,
        ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
        ["LlmProxy:Models:mock:echo:InputPricePerMillion"] = "1000",
        ["LlmProxy:Models:mock:echo:OutputPricePerMillion"] = "2000",
        ["LlmProxy:Models:mock:echo:PricesAsOf"] = "2026-11-28",
    });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A browser-like client: keeps cookies, sends no key of its own.</summary>
    private HttpClient Browser(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = _host.BaseAddress };

    private async Task<(HttpClient Client, string Csrf)> SignInAsync()
    {
        var client = Browser();
        using var response = await client.PostAsJsonAsync("/usage/login", new { key = AdminKey }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csrf = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["csrfToken"]!.GetValue<string>();
        return (client, csrf);
    }

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_SameSite_Strict_session_cookie_and_a_wrong_key_gets_none()
    {
        using var browser = Browser();
        using var wrong = await browser.PostAsJsonAsync("/usage/login", new { key = "not-the-key" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        using (var refused = await browser.GetAsync("/api/admin/overview", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var form = await browser.PostAsync("/usage/login", new FormUrlEncodedContent([new("key", AdminKey)]), Ct);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var cookie = Assert.Single(form.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminKey, cookie, StringComparison.Ordinal);
        using (var allowed = await browser.GetAsync("/api/admin/overview", Ct)) Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        using (var session = await browser.GetAsync("/usage/session", Ct)) Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        using (var none = await Browser().GetAsync("/usage/session", Ct)) Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);

        using var logout = await browser.PostAsync("/usage/logout", null, Ct);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var after = await browser.GetAsync("/api/admin/overview", Ct)) Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_forged_or_altered_session_cookie_is_refused()
    {
        var jar = new CookieContainer();
        jar.Add(_host.BaseAddress, new Cookie("llmproxy_admin", "v1.00112233445566778899aabbccddeeff.99999999999.forged"));
        using var forged = Browser(jar);
        using var response = await forged.GetAsync("/api/admin/scopes", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_session_write_needs_its_CSRF_token_and_every_quota_change_is_audited_with_who_and_the_old_and_new_value()
    {
        var (client, csrf) = await SignInAsync();
        using (client)
        {
            using var noToken = await client.PutAsJsonAsync("/api/admin/quotas?tenantId=acme&userId=ana", new { tokenLimit = 50 }, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);

            using var put = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=acme&userId=ana")
            {
                Content = JsonContent.Create(new { tokenLimit = 50, requestsPerMinute = 3 }),
                Headers = { { AdminGate.CsrfHeader, csrf } },
            };
            using (var ok = await client.SendAsync(put, Ct)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var byKey = new HttpRequestMessage(HttpMethod.Put, "/api/admin/quotas?tenantId=acme&userId=ana")
        {
            Content = JsonContent.Create(new { tokenLimit = (long?)null, requestsPerMinute = (int?)null }),
            Headers = { { AdminKeyCheck.Header, AdminKey } },
        };
        using (var ok = await _host.AnonymousClient.SendAsync(byKey, Ct)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var audit = new HttpRequestMessage(HttpMethod.Get, "/api/admin/quotas/audit?tenantId=acme") { Headers = { { AdminKeyCheck.Header, AdminKey } } };
        using var answer = await _host.AnonymousClient.SendAsync(audit, Ct);
        var entries = (await answer.Content.ReadFromJsonAsync<JsonArray>(Ct))!;
        Assert.Equal(2, entries.Count);
        Assert.StartsWith("admin key ", entries[0]!["actor"]!.GetValue<string>());
        Assert.Equal(50, entries[0]!["oldValue"]!["tokenLimit"]!.GetValue<long>());
        Assert.Null(entries[0]!["newValue"]);
        Assert.StartsWith("dashboard session ", entries[1]!["actor"]!.GetValue<string>());
        Assert.Null(entries[1]!["oldValue"]);
        Assert.Equal(3, entries[1]!["newValue"]!["requestsPerMinute"]!.GetValue<int>());
        Assert.Equal("ana", entries[1]!["userId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_overview_and_the_scope_table_show_what_was_seeded_through_the_proxy()
    {
        long prompt = 0, completion = 0;
        foreach (var (tenant, user) in new[] { ("acme", "ana"), ("acme", "ana"), ("acme", "bob"), ("globex", "eve") })
        {
            using var response = await _host.Client.PostAsync("/api/llm-proxy", new StringContent(
                $$"""{"provider":"mock","model":"echo","tenantId":"{{tenant}}","userId":"{{user}}","messages":[{"role":"user","content":"seed {{user}}"}]}""",
                Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var usage = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["usage"]!;
            prompt += usage["prompt_tokens"]!.GetValue<long>();
            completion += usage["completion_tokens"]!.GetValue<long>();
        }
        await _host.WhenUsageHandledAsync(4);

        var (client, _) = await SignInAsync();
        using (client)
        {
            var overview = (await client.GetFromJsonAsync<JsonObject>("/api/admin/overview?split=model", Ct))!;
            var totals = overview["totals"]!;
            Assert.Equal(4, totals["requests"]!.GetValue<long>());
            Assert.Equal(prompt, totals["promptTokens"]!.GetValue<long>());
            Assert.Equal(completion, totals["completionTokens"]!.GetValue<long>());
            Assert.Equal((prompt * 1000m + completion * 2000m) / 1_000_000m, totals["costUsd"]!.GetValue<decimal>());
            Assert.Equal(0, totals["errorRate"]!.GetValue<double>());
            Assert.NotNull(totals["p95LatencyMs"]);
            var line = Assert.Single(overview["series"]!["lines"]!.AsArray());
            Assert.Equal("mock/echo", line!["label"]!.GetValue<string>());
            Assert.Equal(4, line["requests"]!.AsArray().Sum(n => n!.GetValue<long>()));
            Assert.Equal("acme", overview["topTenants"]![0]!["tenantId"]!.GetValue<string>());

            var scopes = (await client.GetFromJsonAsync<JsonObject>("/api/admin/scopes?tenantId=acme", Ct))!["scopes"]!.AsArray();
            Assert.Equal(["acme/", "acme/ana", "acme/bob"], scopes.Select(s => $"{s!["tenantId"]}/{s["userId"]}"));
            var ana = scopes[1]!;
            Assert.Equal(100_000 - ana["used"]!.GetValue<long>(), ana["remaining"]!.GetValue<long>());
            Assert.Equal(2, ana["requests"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task The_request_log_filters_opens_one_entry_with_its_bodies_and_exports_CSV_without_formulas()
    {
        var store = _host.Services.GetRequiredService<IRequestLogStore>();
        var now = DateTimeOffset.UtcNow;
        RequestLogEntry Entry(string id, string tenant, string user, bool cached, string status, int minutesAgo) => new()
        {
            Id = id, TenantId = tenant, UserId = user, Provider = "mock", Model = "echo", Status = status,
            HttpStatus = status == UsageStatuses.Ok ? 200 : 502, Cached = cached, PromptTokens = 5, CompletionTokens = 7, LatencyMs = 42,
            RequestBody = """[{"role":"user","content":"hello"}]""", ResponseBody = "hello back", Timestamp = now.AddMinutes(-minutesAgo),
        };
        await store.AddAsync(Entry("r1", "acme", "=HYPERLINK(\"http://evil\")", false, UsageStatuses.Ok, 3), Ct);
        await store.AddAsync(Entry("r2", "acme", "bob", true, UsageStatuses.Ok, 2), Ct);
        await store.AddAsync(Entry("r3", "globex", "eve", false, UsageStatuses.VendorError, 1), Ct);

        var (client, _) = await SignInAsync();
        using (client)
        {
            var acme = (await client.GetFromJsonAsync<JsonArray>("/api/admin/requests?tenantId=acme", Ct))!;
            Assert.Equal(["r2", "r1"], acme.Select(e => e!["id"]!.GetValue<string>()));
            Assert.Null(acme[0]!["requestBody"]);
            var cached = (await client.GetFromJsonAsync<JsonArray>("/api/admin/requests?cached=true", Ct))!;
            Assert.Equal("r2", Assert.Single(cached)!["id"]!.GetValue<string>());
            var failed = (await client.GetFromJsonAsync<JsonArray>("/api/admin/requests?status=vendor_error", Ct))!;
            Assert.Equal("r3", Assert.Single(failed)!["id"]!.GetValue<string>());

            var one = (await client.GetFromJsonAsync<JsonObject>("/api/admin/requests/r2", Ct))!;
            Assert.Equal("""[{"role":"user","content":"hello"}]""", one["requestBody"]!.GetValue<string>());
            Assert.Equal("hello back", one["responseBody"]!.GetValue<string>());
            using (var missing = await client.GetAsync("/api/admin/requests/nope", Ct)) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using (var bad = await client.GetAsync("/api/admin/requests?cached=maybe", Ct)) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

            using var csv = await client.GetAsync("/api/admin/requests.csv?tenantId=acme", Ct);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
            var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("timestamp,id,tenantId,userId,", lines[0]);
            Assert.Contains(",r1,acme,\"'=HYPERLINK(\"\"http://evil\"\")\",mock,echo,ok,200,false,false,5,7,42,,,", lines[2]);
        }
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_with_a_CSP_and_caching_headers()
    {
        using var page = await _host.AnonymousClient.GetAsync("/usage", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("usage/assets/dashboard.js", await page.Content.ReadAsStringAsync(Ct));

        using var script = await _host.AnonymousClient.GetAsync("/usage/assets/dashboard.js", Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(script.Headers.ETag);
        Assert.Equal(TimeSpan.FromMinutes(5), script.Headers.CacheControl!.MaxAge);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/usage/assets/dashboard.js") { Headers = { IfNoneMatch = { script.Headers.ETag! } } };
        using (var notModified = await _host.AnonymousClient.SendAsync(again, Ct)) Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using (var missing = await _host.AnonymousClient.GetAsync("/usage/assets/index.html", Ct)) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
