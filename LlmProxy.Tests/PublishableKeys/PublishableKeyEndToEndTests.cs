using System.Net;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static LlmProxy.Tests.PublishableKeys.PublishableKeyClient;

namespace LlmProxy.Tests.PublishableKeys;

/// <summary>
/// Publishable keys over loopback: created through the admin API, accepted only from their origins on the element's
/// route and shape, refused everywhere else, with a CORS answer that names only the key's origin even though the
/// proxy's own CORS setting is <c>*</c>.
/// </summary>
public sealed class PublishableKeyEndToEndTests : IAsyncLifetime
{
    private const int MaxTokens = 3;
    private const int MaxInputChars = 200;
    private ProxyHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
    {
        ["LlmProxy:Admin:ApiKey"] = AdminKey,
        ["LlmProxy:Cors:AllowedOrigins:0"] = "*",
        ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
        ["LlmProxy:Cache:Enabled"] = "false",
        ["LlmProxy:PublishableKeys:MaxTokens"] = MaxTokens.ToString(),
        ["LlmProxy:PublishableKeys:MaxInputChars"] = MaxInputChars.ToString(),
    }, configure: b => b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 30, TimeSpan.Zero))));

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpRequestMessage request) => _host.AnonymousClient.SendAsync(request, Ct);

    [Fact]
    public async Task A_publishable_key_is_created_with_its_origins_and_limits_and_listed_with_them()
    {
        using var response = await Send(CreateRequest("shop", """
            {"name":"site","kind":"publishable","allowedOrigins":["https://Shop.Example","http://localhost:5173"],
             "requestsPerMinutePerUser":5,"requestsPerMinutePerIp":50,"allowedModels":["mock/echo"],"tokenLimit":5000,"costLimitUsd":2.5}
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.StartsWith("lp-pk-", created["key"]!.GetValue<string>());
        Assert.Equal("publishable", created["kind"]!.GetValue<string>());
        Assert.Equal("""["https://shop.example","http://localhost:5173"]""", created["publishable"]!["allowedOrigins"]!.ToJsonString());

        var listed = JsonNode.Parse(await (await Send(new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants/shop/keys") { Headers = { { "X-Admin-Key", AdminKey } } }))
            .Content.ReadAsStringAsync(Ct))!.AsArray();
        var key = Assert.Single(listed)!;
        Assert.Equal("publishable", key["kind"]!.GetValue<string>());
        Assert.Equal(5, key["publishable"]!["requestsPerMinutePerUser"]!.GetValue<int>());
        Assert.Equal(50, key["publishable"]!["requestsPerMinutePerIp"]!.GetValue<int>());
        Assert.Equal("""["mock/echo"]""", key["publishable"]!["allowedModels"]!.ToJsonString());
        Assert.Equal((5000L, 2.5m), (key["publishable"]!["tokenLimit"]!.GetValue<long>(), key["publishable"]!["costLimitUsd"]!.GetValue<decimal>()));
        Assert.Null(key["key"]);
    }

    [Theory]
    [InlineData("""{"kind":"publishable"}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":[]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["*"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example/"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example/cart"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["ftp://shop.example"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["shop.example"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"],"costLimitUsd":1,"requestsPerMinutePerIp":0}""", "requestsPerMinutePerIp")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"],"costLimitUsd":1,"requestsPerMinutePerUser":-1}""", "requestsPerMinutePerUser")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":[],"costLimitUsd":1}""", "allowedModels")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["/echo"],"costLimitUsd":1}""", "allowedModels")]
    // A page's key is public: it must name its models, and carry a budget while its tenant has no limit (this one has none).
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"costLimitUsd":1}""", "allowedModels")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"]}""", "costLimitUsd")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"],"costLimitUsd":0}""", "costLimitUsd")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"],"costLimitUsd":0.0000000001}""", "costLimitUsd")]
    [InlineData("""{"kind":"publishable","allowedOrigins":["https://shop.example"],"allowedModels":["mock"],"tokenLimit":0}""", "tokenLimit")]
    [InlineData("""{"costLimitUsd":1}""", "costLimitUsd")]
    [InlineData("""{"kind":"public"}""", "kind")]
    [InlineData("""{"allowedOrigins":["https://shop.example"]}""", "allowedOrigins")]
    [InlineData("""{"kind":"publishable","allowedOrigin":["https://shop.example"]}""", "allowedOrigin")]
    [InlineData("""{"kind":"publishable","allowedOrigins":"https://shop.example"}""", "allowedOrigins")]
    public async Task Bad_key_creation_input_is_a_400_naming_the_field_and_creates_nothing(string body, string param)
    {
        using var response = await Send(CreateRequest("shop", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM api_keys";
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task From_a_listed_origin_the_element_call_streams_usage_goes_to_the_tenant_and_cors_names_only_that_origin()
    {
        var key = await CreateAsync(_host);

        using var response = await Send(Call(key, Page, ElementBody("reader-1", "one two")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(Page, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("Origin", Header(response, "Vary")!);
        Assert.Contains("Retry-After", Header(response, "Access-Control-Expose-Headers")!);
        await _host.WhenUsageHandledAsync(1);
        var row = Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath));
        Assert.Equal(("shop", "reader-1", "ok"), (row.TenantId, row.UserId, row.Status));
    }

    [Fact]
    public async Task Without_an_origin_or_from_another_origin_the_key_is_refused_and_no_origin_is_granted()
    {
        var key = await CreateAsync(_host);

        using var noOrigin = await Send(Call(key, null, ElementBody("reader-1")));
        using var foreign = await Send(Call(key, "https://evil.example", ElementBody("reader-1")));
        using var lookalike = await Send(Call(key, "https://shop.example:8443", ElementBody("reader-1")));

        foreach (var response in new[] { noOrigin, foreign, lookalike })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("origin_not_allowed", (await ErrorAsync(response))["type"]!.GetValue<string>());
            // The proxy's setting is "*", yet a page on another origin may not even read the refusal.
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        }
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task A_revoked_publishable_key_is_401_with_the_configured_cors_answer_so_the_page_can_read_why()
    {
        var key = await CreateAsync(_host);
        var keyId = JsonNode.Parse(await (await Send(new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants/shop/keys") { Headers = { { "X-Admin-Key", AdminKey } } }))
            .Content.ReadAsStringAsync(Ct))!.AsArray().Single()!["keyId"]!.GetValue<string>();
        using var revoked = await Send(new HttpRequestMessage(HttpMethod.Delete, $"/api/admin/keys/{keyId}") { Headers = { { "X-Admin-Key", AdminKey } } });
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        using var response = await Send(Call(key, Page, ElementBody("reader-1")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("authentication_error", (await ErrorAsync(response))["type"]!.GetValue<string>());
        // No key to bind the answer to: the proxy's own setting ("*") decides.
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_publishable_key_is_refused_on_every_other_route()
    {
        var key = await CreateAsync(_host);
        var openAi = """{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"stream":true}""";

        using var chat = await Send(Call(key, Page, openAi, "/v1/chat/completions"));
        using var quota = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/quota?userId=reader-1") { Headers = { { "Authorization", "Bearer " + key }, { "Origin", Page } } });
        using var adminBearer = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants/shop/keys") { Headers = { { "Authorization", "Bearer " + key } } });
        using var adminHeader = await Send(new HttpRequestMessage(HttpMethod.Post, "/api/admin/tenants/shop/keys") { Headers = { { "X-Admin-Key", key } } });

        foreach (var response in new[] { chat, quota, adminBearer, adminHeader })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("publishable_key_not_allowed", (await ErrorAsync(response))["type"]!.GetValue<string>());
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        }
    }

    [Theory]
    [InlineData(""","stream":false""", "stream")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f"}}]""", "tools")]
    [InlineData(""","max_tokens":4""", "max_tokens")]
    [InlineData(""","n":2""", "n")]
    public async Task Calls_beyond_the_element_shape_are_400(string extraFields, string param)
    {
        var key = await CreateAsync(_host);
        // A later "stream" member wins in System.Text.Json, so the element body can be overridden by appending.
        using var response = await Send(Call(key, Page, ElementBody("reader-1", extraFields: extraFields)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (await ErrorAsync(response))["param"]!.GetValue<string>());
        Assert.Equal(Page, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Messages_are_capped_in_number_role_kind_and_size()
    {
        var key = await CreateAsync(_host);
        string Body(string messages) => $$"""{"provider":"mock","model":"echo","stream":true,"userId":"u","messages":{{messages}}}""";

        var cases = new (string Messages, string Param)[]
        {
            ("""[{"role":"system","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"}]""", "messages"),
            ("""[{"role":"assistant","content":"a"}]""", "messages[0]"),
            ("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://img.example/a.png"}}]}]""", "messages[0].content"),
            ($$"""[{"role":"user","content":"{{new string('x', MaxInputChars + 1)}}"}]""", "messages"),
        };
        foreach (var (messages, param) in cases)
        {
            using var response = await Send(Call(key, Page, Body(messages)));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(param, (await ErrorAsync(response))["param"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_call_that_names_no_budget_gets_the_max_tokens_cap()
    {
        var key = await CreateAsync(_host);

        using var response = await Send(Call(key, Page, ElementBody("reader-1", "one two three four five six")));

        // The mock vendor stops at max_tokens words and says so.
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"finish_reason\":\"length\"", text);
        Assert.DoesNotContain("four", text);
    }

    [Fact]
    public async Task A_key_that_lists_models_refuses_the_others()
    {
        var key = await CreateAsync(_host, extraFields: ""","allowedModels":["mock/echo"]""");

        using var listed = await Send(Call(key, Page, ElementBody("reader-1")));
        using var other = await Send(Call(key, Page, ElementBody("reader-1", model: "gpt-4-turbo")));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(("permission_denied", "model"), ((await ErrorAsync(other))["type"]!.GetValue<string>(), (await ErrorAsync(other))["param"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_secret_key_works_as_before_on_every_route_without_an_origin_and_keeps_the_configured_cors()
    {
        var secret = await _host.KeyForAsync("shop");
        Assert.StartsWith("lpk_", secret);

        using var seed = await Send(Call(secret, null, """{"provider":"mock","model":"echo","messages":[{"role":"user","content":"hi"}],"max_tokens":50}"""));
        using var chat = await Send(Call(secret, "https://anywhere.example", """{"model":"mock/echo","messages":[{"role":"user","content":"hi"}]}""", "/v1/chat/completions"));
        using var quota = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/quota?userId=u") { Headers = { { "Authorization", "Bearer " + secret } } });

        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("*", Header(chat, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, quota.StatusCode);
    }
}
