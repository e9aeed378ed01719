using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Foundation;

/// <summary>
/// What the proxy tells a caller without a key: that it is alive, and nothing else. Version, vendors, circuits and
/// error rates are for the operator (admin key); the model list is for tenants (a tenant key), as at OpenAI.
/// </summary>
public sealed class PublicEndpointsTests : IAsyncLifetime
{
    private const string AdminKey = "status-test-admin-key-0123456789abcdef";
    private ProxyHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Admin:ApiKey"] = AdminKey });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Status_without_the_admin_key_says_only_whether_the_proxy_is_up()
    {
        using var anonymous = await _host.AnonymousClient.GetAsync("/api/llm-proxy/status", Ct);
        using var tenant = await _host.Client.GetAsync("/api/llm-proxy/status", Ct);

        foreach (var response in new[] { anonymous, tenant })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
            Assert.Equal(["status"], body.Select(p => p.Key));
            Assert.Equal("ok", body["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Status_with_the_admin_key_has_the_details()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/llm-proxy/status");
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await _host.AnonymousClient.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Matches(@"^\d+\.\d+\.\d+", body["version"]!.GetValue<string>());
        Assert.NotEmpty(body["providers"]!.AsArray());
    }

    [Fact]
    public async Task Status_with_a_wrong_admin_key_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/llm-proxy/status");
        request.Headers.Add("X-Admin-Key", "not-the-admin-key-0123456789abcdef");
        using var response = await _host.AnonymousClient.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("version", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Models_needs_a_tenant_key()
    {
        using var anonymous = await _host.AnonymousClient.GetAsync("/v1/models", Ct);
        using var tenant = await _host.Client.GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var error = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("authentication_error", error["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, tenant.StatusCode);
        Assert.NotEmpty((await tenant.Content.ReadFromJsonAsync<JsonObject>(Ct))!["data"]!.AsArray());
    }
}
