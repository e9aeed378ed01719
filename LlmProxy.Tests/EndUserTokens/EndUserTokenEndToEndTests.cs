using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Core.Auth.EndUsers;
using LlmProxy.Core.Quotas;
using LlmProxy.Core.Storage;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static LlmProxy.Tests.PublishableKeys.PublishableKeyClient;

namespace LlmProxy.Tests.EndUserTokens;

/// <summary>
/// End-user tokens over loopback: issued to a tenant's backend for its secret key, presented by a page on
/// <c>POST /api/llm-proxy</c> alone or beside a publishable key, and attacked as a page or a script would: forged,
/// altered, expired, signed elsewhere, issued for another tenant, naming another user, past their limits.
/// </summary>
public sealed class EndUserTokenEndToEndTests : IAsyncLifetime
{
    internal const string SigningKey = "end-user-token-signing-key-for-tests-0123456789";
    internal const string PreviousSigningKey = "the-previous-signing-key-for-tests-0123456789";
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 30, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private ProxyHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ProxyHost.StartAsync(new Dictionary<string, string?>
    {
        ["LlmProxy:Admin:ApiKey"] = AdminKey,
        ["LlmProxy:Cors:AllowedOrigins:0"] = "*",
        ["LlmProxy:Cache:Enabled"] = "false",
        ["LlmProxy:Quota:DefaultUserTokens"] = "0",
        ["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0",
        ["LlmProxy:EndUserTokens:SigningKey"] = SigningKey,
        ["LlmProxy:EndUserTokens:PreviousSigningKey"] = PreviousSigningKey,
    }, configure: b => b.Services.AddSingleton<TimeProvider>(_clock));

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpRequestMessage request) => _host.AnonymousClient.SendAsync(request, Ct);

    private static HttpRequestMessage Issue(string? key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary>What a tenant's backend does: asks for a token with its secret key.</summary>
    private async Task<string> TokenAsync(string body, string tenant = "shop")
    {
        using var response = await Send(Issue(await _host.KeyForAsync(tenant), body));
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["token"]!.GetValue<string>();
    }

    /// <summary>A page's call with a token alone.</summary>
    private static HttpRequestMessage WithToken(string token, string body, string path = "/api/llm-proxy") => Call(token, null, body, path);

    /// <summary>A page's call with its publishable key and a token beside it.</summary>
    private static HttpRequestMessage WithKeyAndToken(string key, string token, string? origin, string body)
    {
        var request = Call(key, origin, body);
        request.Headers.Add("X-End-User-Token", token);
        return request;
    }

    private static string Body(string? userId = null, string extraFields = "", string model = "echo") =>
        $$"""{"provider":"mock","model":"{{model}}","messages":[{"role":"user","content":"Make this better"}],"max_tokens":20{{(userId is null ? "" : $",\"userId\":\"{userId}\"")}}{{extraFields}}}""";

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? message = null)
    {
        var error = await ErrorAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal((int)status, error["status"]!.GetValue<int>());
        if (message is not null) Assert.Equal(message, error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_backend_gets_a_token_with_its_secret_key_and_the_call_made_with_it_is_recorded_as_the_tokens_user()
    {
        using var issued = await Send(Issue(await _host.KeyForAsync("shop"), """{"userId":"ana"}"""));

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal("no-store", issued.Headers.CacheControl?.ToString());
        var answer = JsonNode.Parse(await issued.Content.ReadAsStringAsync(Ct))!;
        var token = answer["token"]!.GetValue<string>();
        Assert.StartsWith("lp-ut-", token);
        // Default lifetime: 15 minutes from the clock's second.
        Assert.Equal(Start.AddSeconds(-30).AddMinutes(15).AddSeconds(30), answer["expiresAt"]!.GetValue<DateTimeOffset>());

        using var call = await Send(WithToken(token, Body()));
        using var repeated = await Send(WithToken(token, Body(userId: "ana", extraFields: ""","user":"ana","tenantId":"shop" """)));

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        await _host.WhenUsageHandledAsync(2);
        var rows = await UsageRows.ReadAsync(_host.DatabasePath);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(("shop", "ana", "ok"), (row.TenantId, row.UserId, row.Status)));
    }

    [Theory]
    [InlineData("userId")]
    [InlineData("user")]
    public async Task A_body_that_names_another_user_than_the_token_is_403_and_records_nothing(string field)
    {
        var token = await TokenAsync("""{"userId":"ana"}""");

        using var response = await Send(WithToken(token, Body(extraFields: $$""","{{field}}":"bob" """)));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "permission_denied");
        Assert.Equal(field, (await ErrorAsync(response))["param"]!.GetValue<string>());
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task A_body_naming_another_tenant_than_the_tokens_is_403()
    {
        var token = await TokenAsync("""{"userId":"ana"}""");

        using var response = await Send(WithToken(token, Body(extraFields: ""","tenantId":"other" """)));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "permission_denied");
    }

    [Fact]
    public async Task Forged_altered_foreign_and_other_proxies_tokens_are_401_all_with_the_same_message()
    {
        var genuine = await TokenAsync("""{"userId":"ana"}""");
        var parts = genuine["lp-ut-".Length..].Split('.');
        var payload = Base64Url.DecodeFromChars(parts[1]);
        payload[^3] ^= 0x01;
        var wanted = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"tenantId":"shop","userId":"mallory","iat":{{Start.ToUnixTimeSeconds()}},"exp":{{Start.AddDays(365).ToUnixTimeSeconds()}}}"""));
        var elsewhere = EndUserTokenSignerTests.Signer("a-signing-key-this-proxy-never-held-0123456789").Sign(new EndUserToken
        {
            TenantId = "shop", UserId = "mallory", IssuedAt = Start.ToUnixTimeSeconds(), ExpiresAt = Start.AddHours(1).ToUnixTimeSeconds(),
        });
        var forgeries = new Dictionary<string, string>
        {
            ["random"] = $"lp-ut-{parts[0]}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(90))}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}",
            ["chosen claims, guessed mac"] = $"lp-ut-{parts[0]}.{wanted}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}",
            ["chosen claims, genuine mac"] = $"lp-ut-{parts[0]}.{wanted}.{parts[2]}",
            ["payload byte changed, mac kept"] = $"lp-ut-{parts[0]}.{Base64Url.EncodeToString(payload)}.{parts[2]}",
            ["signed by another proxy"] = elsewhere,
            ["truncated"] = genuine[..^1],
        };

        foreach (var (what, forged) in forgeries)
        {
            using var response = await Send(WithToken(forged, Body()));
            TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {(int)response.StatusCode}");
            await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "The end-user token is not valid.");
        }
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task A_token_works_until_its_expiry_second_and_is_401_from_then_on()
    {
        var token = await TokenAsync("""{"userId":"ana","expiresInSeconds":60}""");

        _clock.Advance(TimeSpan.FromSeconds(59));
        using var before = await Send(WithToken(token, Body()));
        _clock.Advance(TimeSpan.FromSeconds(1));
        using var after = await Send(WithToken(token, Body()));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await AssertRefusedAsync(after, HttpStatusCode.Unauthorized, "authentication_error", "The end-user token has expired; get a new one from the site's backend.");
    }

    [Fact]
    public async Task A_token_for_another_tenant_beside_a_publishable_key_is_401_like_a_forged_one()
    {
        var key = await CreateAsync(_host, "shop");
        var otherTenants = await TokenAsync("""{"userId":"ana"}""", tenant: "other");

        using var response = await Send(WithKeyAndToken(key, otherTenants, Page, ElementBody("ana")));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "The end-user token is not valid.");
        Assert.Empty(await UsageRows.ReadAsync(_host.DatabasePath));
    }

    [Fact]
    public async Task Only_a_secret_key_gets_a_token()
    {
        var publishable = await CreateAsync(_host, "shop");
        var token = await TokenAsync("""{"userId":"ana"}""");
        var body = """{"userId":"ana"}""";

        using var withPublishable = await Send(Issue(publishable, body));
        using var withToken = await Send(Issue(token, body));
        using var withNothing = await Send(Issue(null, body));
        using var withUnknown = await Send(Issue("lpk_not-a-real-key", body));

        await AssertRefusedAsync(withPublishable, HttpStatusCode.Forbidden, "publishable_key_not_allowed");
        await AssertRefusedAsync(withToken, HttpStatusCode.Forbidden, "end_user_token_not_allowed");
        await AssertRefusedAsync(withNothing, HttpStatusCode.Unauthorized, "authentication_error");
        await AssertRefusedAsync(withUnknown, HttpStatusCode.Unauthorized, "authentication_error");
    }

    [Theory]
    [InlineData("", "userId")]
    [InlineData("{}", "userId")]
    [InlineData("""{"userId":""}""", "userId")]
    [InlineData("""{"userId":"a/b"}""", "userId")]
    [InlineData("""{"userId":"ana","expiresInSeconds":0}""", "expiresInSeconds")]
    [InlineData("""{"userId":"ana","expiresInSeconds":3601}""", "expiresInSeconds")]
    [InlineData("""{"userId":"ana","limits":{"tokenLimit":0}}""", "limits.tokenLimit")]
    [InlineData("""{"userId":"ana","limits":{"requestsPerMinute":-1}}""", "limits.requestsPerMinute")]
    [InlineData("""{"userId":"ana","limits":{"costLimitUsd":0}}""", "limits.costLimitUsd")]
    [InlineData("""{"userId":"ana","limits":{"costLimitUsd":0.0000000001}}""", "limits.costLimitUsd")]
    [InlineData("""{"userId":"ana","limits":{"tokens":5}}""", "limits.tokens")]
    [InlineData("""{"userId":"ana","allowedModels":[]}""", "allowedModels")]
    [InlineData("""{"userId":"ana","allowedModels":["/echo"]}""", "allowedModels")]
    [InlineData("""{"userId":"ana","ttl":60}""", "ttl")]
    [InlineData("""{"userId":"ana","tenantId":"other"}""", "tenantId")]
    public async Task Bad_token_requests_are_400_naming_the_field(string body, string param)
    {
        using var response = await Send(Issue(await _host.KeyForAsync("shop"), body));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        var named = (await ErrorAsync(response))["param"]?.GetValue<string>() ?? "";
        Assert.Equal(param, named);
    }

    [Fact]
    public async Task A_token_is_refused_on_every_route_but_the_browser_door()
    {
        var token = await TokenAsync("""{"userId":"ana"}""");

        using var chat = await Send(WithToken(token, """{"model":"mock/echo","messages":[{"role":"user","content":"hi"}]}""", "/v1/chat/completions"));
        using var quota = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/quota?userId=ana") { Headers = { { "Authorization", "Bearer " + token } } });
        using var admin = await Send(new HttpRequestMessage(HttpMethod.Get, "/api/admin/tenants/shop/keys") { Headers = { { "Authorization", "Bearer " + token } } });

        await AssertRefusedAsync(chat, HttpStatusCode.Forbidden, "end_user_token_not_allowed");
        await AssertRefusedAsync(quota, HttpStatusCode.Forbidden, "end_user_token_not_allowed");
        await AssertRefusedAsync(admin, HttpStatusCode.Unauthorized, "authentication_error");
    }

    [Fact]
    public async Task Beside_a_publishable_key_the_keys_origin_and_shape_rules_apply_and_the_user_is_the_tokens()
    {
        var key = await CreateAsync(_host, "shop");
        var token = await TokenAsync("""{"userId":"ana"}""");

        using var fromPage = await Send(WithKeyAndToken(key, token, Page, ElementBody("ana")));
        using var noUserNamed = await Send(WithKeyAndToken(key, token, Page, ElementBody("ana").Replace(""","userId":"ana" """.Trim(), "")));
        using var otherUser = await Send(WithKeyAndToken(key, token, Page, ElementBody("bob")));
        using var noOrigin = await Send(WithKeyAndToken(key, token, null, ElementBody("ana")));
        using var notStreamed = await Send(WithKeyAndToken(key, token, Page, ElementBody("ana", extraFields: ""","stream":false""")));
        using var twoTokens = await Send(WithKeyAndToken(token, token, Page, ElementBody("ana")));

        Assert.Equal(HttpStatusCode.OK, fromPage.StatusCode);
        Assert.Equal(Page, Header(fromPage, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, noUserNamed.StatusCode);
        await AssertRefusedAsync(otherUser, HttpStatusCode.Forbidden, "permission_denied");
        await AssertRefusedAsync(noOrigin, HttpStatusCode.Forbidden, "origin_not_allowed");
        await AssertRefusedAsync(notStreamed, HttpStatusCode.BadRequest, "invalid_request_error");
        await AssertRefusedAsync(twoTokens, HttpStatusCode.BadRequest, "invalid_request_error");
        await _host.WhenUsageHandledAsync(2);
        Assert.All(await UsageRows.ReadAsync(_host.DatabasePath), row => Assert.Equal(("shop", "ana"), (row.TenantId, row.UserId)));
    }

    [Fact]
    public async Task Beside_a_secret_key_the_token_decides_the_user_too()
    {
        var token = await TokenAsync("""{"userId":"ana"}""");
        var secret = await _host.KeyForAsync("shop");

        using var call = await Send(WithKeyAndToken(secret, token, null, Body()));
        using var otherUser = await Send(WithKeyAndToken(secret, token, null, Body(userId: "bob")));

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        await AssertRefusedAsync(otherUser, HttpStatusCode.Forbidden, "permission_denied");
        await _host.WhenUsageHandledAsync(1);
        Assert.Equal("ana", Assert.Single(await UsageRows.ReadAsync(_host.DatabasePath)).UserId);
    }

    [Fact]
    public async Task The_tighter_of_the_tokens_limits_and_the_users_own_applies()
    {
        var estimate = EndUserTokenQuotaTests.Bound(_host, Body()).Total;
        // The operator's override for ana is tighter than the token's: it wins. The token's rate is tighter than none.
        await _host.Services.GetRequiredService<IQuotaStore>().SetOverrideAsync(QuotaScope.User("shop", "ana"), new QuotaOverride(estimate, null), Ct);
        var token = await TokenAsync($$"""{"userId":"ana","limits":{"tokenLimit":{{100 * estimate}},"requestsPerMinute":5} }""");

        using var first = await Send(WithToken(token, Body()));
        await _host.WhenUsageHandledAsync(1);
        using var second = await Send(WithToken(token, Body()));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertRefusedAsync(second, HttpStatusCode.TooManyRequests, "insufficient_quota");
        Assert.Contains($"of its {estimate} tokens", (await ErrorAsync(second))["message"]!.GetValue<string>());
        Assert.Equal("5", Header(first, "X-RateLimit-Limit"));
    }

    [Fact]
    public async Task A_tokens_requests_per_minute_hold_the_user_to_that_many_calls_a_minute()
    {
        var token = await TokenAsync("""{"userId":"ana","limits":{"requestsPerMinute":2}}""");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Send(WithToken(token, Body()));
            statuses.Add(response.StatusCode);
            if (i == 2) await AssertRefusedAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_token_that_lists_models_refuses_the_others()
    {
        var token = await TokenAsync("""{"userId":"ana","allowedModels":["mock/echo"]}""");

        using var listed = await Send(WithToken(token, Body()));
        using var other = await Send(WithToken(token, Body(model: "gpt-4-turbo")));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        await AssertRefusedAsync(other, HttpStatusCode.Forbidden, "permission_denied");
    }

    [Fact]
    public async Task A_token_signed_with_the_previous_key_still_works_while_that_key_is_configured()
    {
        var signedBefore = EndUserTokenSignerTests.Signer(PreviousSigningKey).Sign(new EndUserToken
        {
            TenantId = "shop", UserId = "ana", IssuedAt = Start.ToUnixTimeSeconds(), ExpiresAt = Start.AddMinutes(15).ToUnixTimeSeconds(),
        });
        var issuedNow = await TokenAsync("""{"userId":"ana"}""");

        using var old = await Send(WithToken(signedBefore, Body()));
        using var fresh = await Send(WithToken(issuedNow, Body()));

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(signedBefore.Split('.')[0], issuedNow.Split('.')[0]);
    }
}
