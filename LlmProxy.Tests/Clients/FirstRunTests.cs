using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmProxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmProxy.Tests.Clients;

/// <summary>The first minutes of a new user: what <c>dotnet run</c> prints, and what the dashboard says before an admin key is set.</summary>
public sealed class FirstRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(ProxyHost Host, FakeLogCollector Logs)> StartAsync(string environment, Dictionary<string, string?>? settings = null)
    {
        var logs = new FakeLogCollector();
        var host = await ProxyHost.StartAsync(settings, environment: environment,
            configure: builder => builder.Logging.AddProvider(new FakeLoggerProvider(logs)));
        return (host, logs);
    }

    private static IEnumerable<FakeLogRecord> Banner(FakeLogCollector logs) =>
        logs.GetSnapshot().Where(r => r.Category == "LlmProxy.Functions.Standalone.DevelopmentBanner");

    [Fact]
    public async Task In_Development_the_start_up_prints_one_block_with_the_url_the_development_key_the_pages_and_how_to_set_an_admin_key()
    {
        var (host, logs) = await StartAsync("Development");
        await using var _ = host;
        var url = host.BaseAddress.ToString().TrimEnd('/');

        var block = Assert.Single(Banner(logs)).Message;
        Assert.Contains($"listening on {url}", block);
        Assert.Contains($"{url}/v1", block);
        Assert.Contains("lp-dev-local-key", block);
        Assert.Contains($"{url}/usage", block);
        Assert.Contains($"{url}/_/demo", block);
        // The advice must work: a shorter admin key stops the host at start.
        Assert.Contains("LlmProxy__Admin__ApiKey=<at least 32 characters", block);
        // What it says works: the development key lists the models.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new("Bearer", "lp-dev-local-key");
        Assert.Equal(HttpStatusCode.OK, (await host.AnonymousClient.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task Outside_Development_nothing_is_printed_and_with_an_admin_key_the_block_says_the_dashboard_is_on()
    {
        var (production, productionLogs) = await StartAsync("Production");
        await using (production) Assert.Empty(Banner(productionLogs));

        var (withKey, logs) = await StartAsync("Development", new() { ["LlmProxy:Admin:ApiKey"] = ProxyHost.TestAdminKey });
        await using (withKey)
        {
            var block = Assert.Single(Banner(logs)).Message;
            Assert.Contains("admin API and dashboard: on", block);
            Assert.DoesNotContain(ProxyHost.TestAdminKey, block);
        }
    }

    [Fact]
    public async Task Signing_in_to_a_dashboard_without_an_admin_key_says_the_admin_API_is_off_and_names_the_setting()
    {
        await using var host = await ProxyHost.StartAsync();

        var response = await host.AnonymousClient.PostAsync("/usage/login", new StringContent("""{"key":"anything"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("permission_denied", error["type"]!.GetValue<string>());
        Assert.Contains("LlmProxy:Admin:ApiKey (at least 32 characters", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_setting_stops_the_standalone_host_with_its_message_alone_and_exit_code_1()
    {
        using var directory = new TempDirectory();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(RepositoryPaths.FunctionsOutput, "LlmProxy.Functions.dll"), "--standalone", "--urls", "http://127.0.0.1:0",
            "--LlmProxy:Store:SqlitePath", Path.Combine(directory.Path, "proxy.db"), "--LlmProxy:Admin:ApiKey", "too-short",
        }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(1, process.ExitCode);
        var printed = (await output) + (await error);
        Assert.Contains("LlmProxy:Admin:ApiKey must be at least 32 characters", printed);
        Assert.DoesNotContain("   at ", printed);
        Assert.DoesNotContain("Unhandled exception", printed);
    }
}
