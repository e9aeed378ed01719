using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LlmProxy.Tests.Infrastructure;

namespace LlmProxy.Tests.Dashboard;

/// <summary>
/// Guessing the admin key: wrong keys from one address are throttled until even the right key is refused, other
/// addresses are not held back, and a key short enough to guess never starts the host.
/// </summary>
public sealed class AdminBruteForceTests
{
    private const string AdminKey = "brute-force-test-admin-key-0123456789abcdef";
    private const string Attacker = "198.51.100.7";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> OverviewAsync(ProxyHost host, string key, string from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/overview");
        request.Headers.Add("X-Admin-Key", key);
        request.Headers.Add("X-Forwarded-For", from);
        return await host.AnonymousClient.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Two_thousand_wrong_keys_from_one_address_lock_it_out_so_that_the_right_key_is_refused_too()
    {
        // Client addresses from X-Forwarded-For, as behind a trusted front, so the test can play two of them.
        await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["LlmProxy:Admin:ApiKey"] = AdminKey,
            ["LlmProxy:PublishableKeys:TrustForwardedFor"] = "true",
        });
        var statuses = new Dictionary<HttpStatusCode, int>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 2000; i++)
        {
            using var response = await OverviewAsync(host, $"guess-{i:D4}-{AdminKey[11..]}", Attacker);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
        }
        watch.Stop();

        using var right = await OverviewAsync(host, AdminKey, Attacker);
        using var login = new HttpRequestMessage(HttpMethod.Post, "/usage/login") { Content = JsonContent.Create(new { key = AdminKey }) };
        login.Headers.Add("X-Forwarded-For", Attacker);
        using var dashboard = await host.AnonymousClient.SendAsync(login, Ct);
        using var elsewhere = await OverviewAsync(host, AdminKey, "203.0.113.9");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"2,000 wrong admin keys in {watch.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key} x {s.Value}"))}; " +
            $"then the right key: {(int)right.StatusCode} (Retry-After {right.Headers.RetryAfter?.Delta?.TotalSeconds} s), dashboard sign-in {(int)dashboard.StatusCode}, from another address {(int)elsewhere.StatusCode}");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Unauthorized) <= 10, $"{statuses.GetValueOrDefault(HttpStatusCode.Unauthorized)} wrong keys were checked");
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.TooManyRequests, dashboard.StatusCode);
        Assert.False(dashboard.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Theory]
    [InlineData("choose-one")]
    [InlineData("0123456789012345678901234567890")]
    public async Task An_admin_key_shorter_than_32_characters_stops_the_host_at_start(string adminKey)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await ProxyHost.StartAsync(new Dictionary<string, string?> { ["LlmProxy:Admin:ApiKey"] = adminKey });
        });

        Assert.Contains("LlmProxy:Admin:ApiKey", error.Message);
        Assert.Contains("32", error.Message);
        Assert.DoesNotContain(adminKey, error.Message);
    }
}
