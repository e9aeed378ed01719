using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.RequestLog;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Auth;

/// <summary>
/// Platform keys: the operator's backend serves many tenants with one key, naming the tenant in each call; the key
/// covers only the tenants it lists (or all), never works from a web page, is logged with each call and revokes.
/// </summary>
public sealed class PlatformKeyTests : IAsyncLifetime
{
    private const string AdminKey = ProxyHost.TestAdminKey;
    private ProxyHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
    {
        ["LlmProxy:Admin:ApiKey"] = AdminKey,
        ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
        ["LlmProxy:Cors:AllowedOrigins:0"] = "https://app.example",
    });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> AdminAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await _host.AnonymousClient.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<(string Key, string KeyId)> CreateAsync(string body)
    {
        var (status, created) = await AdminAsync(HttpMethod.Post, "/api/admin/platform-keys", body);
        Assert.Equal(HttpStatusCode.Created, status);
        return (created!["key"]!.GetValue<string>(), created["keyId"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> CallAsync(string key, string path, string body, string? tenantHeader = null, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (tenantHeader is not null) request.Headers.Add("X-Tenant-Id", tenantHeader);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await _host.AnonymousClient.SendAsync(request, Ct);
    }

    private static string Seed(string? tenant) =>
        $$"""{"provider":"mock","model":"echo",{{(tenant is null ? "" : $"\"tenantId\":\"{tenant}\",")}}"userId":"ana","messages":[{"role":"user","content":"hi"}]}""";

    private const string OpenAIBody = """{"model":"mock/echo","user":"ana","messages":[{"role":"user","content":"hi"}]}""";

    private static async Task<JsonNode> ErrorOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;

    [Fact]
    public async Task A_platform_key_acts_for_the_tenants_it_lists_as_each_call_names_them_and_for_no_other()
    {
        var (key, keyId) = await CreateAsync("""{"name":"backend","tenants":["acme","globex"]}""");
        Assert.StartsWith("lp-plat-", key);

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(key, "/api/llm-proxy", Seed("acme"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(key, "/api/llm-proxy", Seed(null), tenantHeader: "globex")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(key, "/v1/chat/completions", OpenAIBody, tenantHeader: "acme")).StatusCode);

        var other = await CallAsync(key, "/api/llm-proxy", Seed("initech"));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(("permission_denied", "tenantId"), ((await ErrorOf(other))["type"]!.GetValue<string>(), (await ErrorOf(other))["param"]!.GetValue<string>()));
        var otherByHeader = await CallAsync(key, "/v1/chat/completions", OpenAIBody, tenantHeader: "initech");
        Assert.Equal(HttpStatusCode.Forbidden, otherByHeader.StatusCode);
        foreach (var unnamed in new[] { await CallAsync(key, "/api/llm-proxy", Seed(null)), await CallAsync(key, "/v1/chat/completions", OpenAIBody) })
        {
            Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
            Assert.Equal("tenantId", (await ErrorOf(unnamed))["param"]!.GetValue<string>());
        }
        var forged = await CallAsync(key, "/v1/chat/completions", OpenAIBody, tenantHeader: "acme/../globex");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var quota = new HttpRequestMessage(HttpMethod.Get, "/api/quota?tenantId=acme&userId=ana");
        quota.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var status = JsonNode.Parse(await (await _host.AnonymousClient.SendAsync(quota, Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("acme", status["tenantId"]!.GetValue<string>());

        await _host.WhenUsageHandledAsync(3);
        var rows = await UsageRows.ReadAsync(_host.DatabasePath);
        Assert.Equal(["acme", "acme", "globex"], rows.Select(r => r.TenantId).Order());
        await _host.Services.GetRequiredService<RequestLogWriter>().WhenHandledAsync(3, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var logged = await _host.Services.GetRequiredService<IRequestLogStore>().QueryAsync(new RequestLogQuery(), Ct);
        Assert.Equal(3, logged.Count);
        Assert.All(logged, e => Assert.Equal(keyId, e.KeyId));
    }

    [Fact]
    public async Task A_key_for_all_tenants_acts_for_any_and_tenant_keys_keep_their_own_tenant()
    {
        var (key, _) = await CreateAsync("""{"allTenants":true}""");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(key, "/api/llm-proxy", Seed("anyone"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(key, "/v1/chat/completions", OpenAIBody, tenantHeader: "someone-else")).StatusCode);

        var tenantKey = await _host.KeyForAsync("acme");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(tenantKey, "/v1/chat/completions", OpenAIBody, tenantHeader: "acme")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(tenantKey, "/v1/chat/completions", OpenAIBody, tenantHeader: "globex")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(tenantKey, "/api/llm-proxy", Seed("globex"))).StatusCode);
    }

    [Fact]
    public async Task A_platform_key_never_works_from_a_web_page_and_grants_it_no_origin()
    {
        var (key, _) = await CreateAsync("""{"allTenants":true}""");

        foreach (var (path, body) in new[] { ("/api/llm-proxy", Seed("acme")), ("/v1/chat/completions", OpenAIBody) })
        {
            var response = await CallAsync(key, path, body, tenantHeader: "acme", origin: "https://app.example");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("platform_key_not_allowed", (await ErrorOf(response))["type"]!.GetValue<string>());
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task A_revoked_platform_key_stops_working_and_the_list_shows_tenants_but_never_the_key()
    {
        var (key, keyId) = await CreateAsync("""{"name":"old backend","tenants":["acme"]}""");
        var (_, listed) = await AdminAsync(HttpMethod.Get, "/api/admin/platform-keys");
        var entry = listed!.AsArray().Single()!;
        Assert.Equal((keyId, "platform", "old backend"), (entry["keyId"]!.GetValue<string>(), entry["kind"]!.GetValue<string>(), entry["name"]!.GetValue<string>()));
        Assert.Equal(["acme"], entry["platform"]!["tenants"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.DoesNotContain(key, listed.ToJsonString());
        Assert.Empty((await AdminAsync(HttpMethod.Get, "/api/admin/tenants/acme/keys")).Body!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await AdminAsync(HttpMethod.Delete, $"/api/admin/keys/{keyId}")).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(key, "/api/llm-proxy", Seed("acme"))).StatusCode);
    }

    [Theory]
    [InlineData("""{"tenants":[]}""", "tenants")]
    [InlineData("""{}""", "tenants")]
    [InlineData("""{"tenants":["acme"],"allTenants":true}""", "tenants")]
    [InlineData("""{"tenants":["a/b"]}""", "tenants[0]")]
    [InlineData("""{"tenants":["a|b"]}""", "tenants[0]")]
    [InlineData("""{"allTenants":true,"kind":"publishable"}""", null)]
    public async Task A_bad_platform_key_creation_is_refused_naming_the_field(string body, string? param)
    {
        var (status, answer) = await AdminAsync(HttpMethod.Post, "/api/admin/platform-keys", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        if (param is not null) Assert.Equal(param, answer!["error"]!["param"]!.GetValue<string>());
        Assert.Empty((await AdminAsync(HttpMethod.Get, "/api/admin/platform-keys")).Body!.AsArray());
    }

    [Fact]
    public async Task A_tenant_key_route_refuses_the_platform_kind()
    {
        var (status, answer) = await AdminAsync(HttpMethod.Post, "/api/admin/tenants/acme/keys", """{"kind":"platform"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("/api/admin/platform-keys", answer!["error"]!["message"]!.GetValue<string>());
    }
}
