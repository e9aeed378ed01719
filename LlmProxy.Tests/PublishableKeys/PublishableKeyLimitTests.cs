using System.Net;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static LlmProxy.Tests.PublishableKeys.PublishableKeyClient;

namespace LlmProxy.Tests.PublishableKeys;

/// <summary>
/// A publishable key's per-user and per-address request windows, on SQLite and on Table Storage (Azurite). Every
/// call here comes from 127.0.0.1, which is what makes the address limit testable: the page's userId varies, the
/// address does not.
/// </summary>
public abstract class PublishableKeyLimitTests(AzuriteFixture azurite, StoreKindUnderTest kind)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 30, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(ProxyHost Host, FakeTimeProvider Clock)> StartAsync(bool trustForwardedFor = false)
    {
        var settings = TestStores.Settings(kind, azurite);
        settings["LlmProxy:Admin:ApiKey"] = AdminKey;
        settings["LlmProxy:Quota:RequestsPerMinutePerUser"] = "0";
        settings["LlmProxy:PublishableKeys:TrustForwardedFor"] = trustForwardedFor ? "true" : "false";
        var clock = new FakeTimeProvider(Start);
        return (await ProxyHost.StartAsync(settings, configure: b => b.Services.AddSingleton<TimeProvider>(clock)), clock);
    }

    private static async Task<HttpStatusCode> StatusAsync(ProxyHost host, string key, string user, string? forwardedFor = null)
    {
        using var request = Call(key, Page, ElementBody(user));
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await host.AnonymousClient.SendAsync(request, Ct);
        await response.Content.ReadAsStringAsync(Ct);
        return response.StatusCode;
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response, string mentions)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("rate_limit_exceeded", error["type"]!.GetValue<string>());
        Assert.Contains(mentions, error["message"]!.GetValue<string>());
        // The fake clock stands 30 s into its minute.
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal("0", Header(response, "X-RateLimit-Remaining"));
        Assert.Equal(Page, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Each_user_of_a_key_has_its_own_window_and_the_next_minute_opens_it_again()
    {
        var (host, clock) = await StartAsync();
        await using var _ = host;
        var key = await CreateAsync(host, extraFields: ""","requestsPerMinutePerUser":2,"requestsPerMinutePerIp":100""");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "ana"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "ana"));
        using (var third = await host.AnonymousClient.SendAsync(Call(key, Page, ElementBody("ana")), Ct))
            await AssertRateLimitedAsync(third, "User 'ana'");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "ben"));

        // Another key of the same tenant counts its users apart.
        var other = await CreateAsync(host, extraFields: ""","requestsPerMinutePerUser":2""");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, other, "ana"));

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "ana"));
    }

    [Fact]
    public async Task Rotating_the_user_id_or_a_forwarded_address_does_not_escape_the_address_window()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var key = await CreateAsync(host, extraFields: ""","requestsPerMinutePerUser":100,"requestsPerMinutePerIp":3""");

        for (var i = 1; i <= 3; i++) Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, $"user-{i}", $"198.51.100.{i}"));
        using var request = Call(key, Page, ElementBody("user-4"));
        request.Headers.Add("X-Forwarded-For", "198.51.100.4");
        using var fourth = await host.AnonymousClient.SendAsync(request, Ct);

        // X-Forwarded-For is not trusted by default: every call counted against 127.0.0.1.
        await AssertRateLimitedAsync(fourth, "Address 127.0.0.1");
        // A secret key of the same tenant is not held by the publishable key's windows.
        using var secret = await host.Client.PostAsync("/api/llm-proxy", new StringContent(ElementBody("user-5").Replace("\"userId\"", "\"tenantId\":\"shop\",\"userId\""),
            System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, secret.StatusCode);
    }

    [Fact]
    public async Task The_address_window_counts_a_call_before_its_body_so_malformed_bodies_count_too()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var key = await CreateAsync(host, extraFields: ""","requestsPerMinutePerUser":100,"requestsPerMinutePerIp":2""");

        using var malformed = await host.AnonymousClient.SendAsync(Call(key, Page, "{not json"), Ct);
        using var withTools = await host.AnonymousClient.SendAsync(Call(key, Page, ElementBody("a", extraFields: ""","tools":[]""")), Ct);
        using var third = await host.AnonymousClient.SendAsync(Call(key, Page, ElementBody("a")), Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (malformed.StatusCode, withTools.StatusCode));
        await AssertRateLimitedAsync(third, "Address 127.0.0.1");
    }

    [Fact]
    public async Task Behind_a_trusted_front_the_last_forwarded_address_is_the_one_counted()
    {
        var (host, _) = await StartAsync(trustForwardedFor: true);
        await using var _ = host;
        var key = await CreateAsync(host, extraFields: ""","requestsPerMinutePerUser":100,"requestsPerMinutePerIp":1""");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "a", "203.0.113.9, 198.51.100.1"));
        // Whatever the caller puts before the front's entry, the front's entry is what counts.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(host, key, "b", "203.0.113.10, 198.51.100.1"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key, "c", "198.51.100.2"));
    }
}

public sealed class SqlitePublishableKeyLimitTests(AzuriteFixture azurite) : PublishableKeyLimitTests(azurite, StoreKindUnderTest.Sqlite);

public sealed class TablesPublishableKeyLimitTests(AzuriteFixture azurite) : PublishableKeyLimitTests(azurite, StoreKindUnderTest.Tables);
