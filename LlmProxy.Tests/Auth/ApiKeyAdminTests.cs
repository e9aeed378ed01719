using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Errors;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Tests.Auth;

/// <summary>Tenant keys through the admin API over loopback, and how the authenticator treats them.</summary>
public sealed class ApiKeyAdminTests : IAsyncLifetime
{
    private const string AdminKey = "admin-secret-for-tests-0123456789abcdef";
    private ProxyHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Admin:ApiKey"] = AdminKey, ["LlmProxy:Auth:KeyCacheSeconds"] = "0" });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private HttpRequestMessage Admin(HttpMethod method, string path, string? adminKey = AdminKey, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (adminKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private CallerAuthenticator Authenticator => _host.Services.GetRequiredService<CallerAuthenticator>();

    [Theory]
    [InlineData("pk|k_0123456789abcdef|ip")]
    [InlineData("a|b")]
    public async Task A_tenant_id_holding_the_publishable_windows_separator_is_refused(string tenant)
    {
        // A publishable key counts its windows as the pseudo-tenants pk|{keyId}|ip and pk|{keyId}|user, so a real
        // tenant named like one would share (and could exhaust) that key's windows.
        using var created = await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Post, $"/api/admin/tenants/{Uri.EscapeDataString(tenant)}/keys"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        var error = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal("tenantId", error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_key_is_shown_once_stored_hashed_listed_without_secret_and_revocable()
    {
        var created = await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Post, "/api/admin/tenants/acme/keys", body: """{"name":"backend"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var key = body["key"]!.GetValue<string>();
        var keyId = body["keyId"]!.GetValue<string>();
        Assert.StartsWith("lpk_", key);
        Assert.Equal("backend", body["name"]!.GetValue<string>());

        var caller = await Authenticator.AuthenticateAsync("Bearer " + key, null, TestContext.Current.CancellationToken);
        Assert.Equal(new CallerIdentity("acme", keyId), caller);
        Assert.Equal(caller, await Authenticator.AuthenticateAsync(null, key, TestContext.Current.CancellationToken));

        var listed = await (await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Get, "/api/admin/tenants/acme/keys"), TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(keyId, listed);
        Assert.DoesNotContain(key, listed);
        Assert.DoesNotContain(ApiKeyHasher.Hash(key), listed);
        Assert.DoesNotContain(key, await File.ReadAllTextAsync(_host.DatabasePath, TestContext.Current.CancellationToken));

        var revoked = await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Delete, $"/api/admin/keys/{keyId}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        var error = await Assert.ThrowsAsync<ProxyException>(() => Authenticator.AuthenticateAsync("Bearer " + key, null, TestContext.Current.CancellationToken));
        Assert.Equal(401, error.Status);
        var relisted = JsonNode.Parse(await (await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Get, "/api/admin/tenants/acme/keys"), TestContext.Current.CancellationToken))
            .Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsArray();
        Assert.NotNull(Assert.Single(relisted)!["revokedAt"]);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-the-admin-key", HttpStatusCode.Unauthorized)]
    public async Task The_admin_api_refuses_a_missing_or_wrong_admin_key(string? adminKey, HttpStatusCode expected)
    {
        var response = await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Post, "/api/admin/tenants/acme/keys", adminKey), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]!;
        Assert.Equal("authentication_error", error["type"]!.GetValue<string>());
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM api_keys";
        Assert.Equal(0L, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Without_a_configured_admin_key_the_admin_api_is_closed()
    {
        await using var host = await ProxyHost.StartAsync();

        var response = await host.AnonymousClient.SendAsync(Admin(HttpMethod.Get, "/api/admin/tenants/acme/keys", "anything"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404()
    {
        var response = await _host.AnonymousClient.SendAsync(Admin(HttpMethod.Delete, "/api/admin/keys/key_nope"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Missing_or_unknown_keys_are_refused_and_the_development_key_works_only_in_development()
    {
        Assert.Equal(401, (await Assert.ThrowsAsync<ProxyException>(() => Authenticator.AuthenticateAsync(null, null, TestContext.Current.CancellationToken))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<ProxyException>(() => Authenticator.AuthenticateAsync("Bearer lpk_unknown", null, TestContext.Current.CancellationToken))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<ProxyException>(() => Authenticator.AuthenticateAsync("Bearer lp-dev-local-key", null, TestContext.Current.CancellationToken))).Status);

        await using var development = await ProxyHost.StartAsync(environment: "Development");
        var caller = await development.Services.GetRequiredService<CallerAuthenticator>().AuthenticateAsync("Bearer lp-dev-local-key", null, TestContext.Current.CancellationToken);
        Assert.Equal("default", caller.TenantId);
    }

    [Fact]
    public void A_request_for_another_tenant_than_the_keys_is_forbidden()
    {
        Assert.Equal("acme", CallerAuthenticator.TenantFor("acme", null));
        Assert.Equal("acme", CallerAuthenticator.TenantFor("acme", "acme"));
        Assert.Equal(403, Assert.Throws<ProxyException>(() => CallerAuthenticator.TenantFor("acme", "globex")).Status);
        Assert.Equal(400, Assert.Throws<ProxyException>(() => CallerAuthenticator.TenantFor("acme", "glo/bex")).Status);
    }
}
