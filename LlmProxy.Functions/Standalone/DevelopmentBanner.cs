using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// What a new user needs first, printed once when the standalone host starts in the Development environment (what
/// <c>dotnet run</c> uses): where the proxy listens, the development key, the dashboard and demo pages, and how to turn
/// the dashboard on. Nothing is printed in any other environment.
/// </summary>
internal sealed partial class DevelopmentBanner(IHostEnvironment environment, IHostApplicationLifetime lifetime, IServer server,
    IOptions<AuthOptions> auth, IOptions<AdminOptions> admin, ILogger<DevelopmentBanner> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsDevelopment()) lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var url = (server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? StandaloneHost.DefaultUrl).TrimEnd('/');
        var adminLine = string.IsNullOrEmpty(admin.Value.ApiKey)
            ? "off: set LlmProxy__Admin__ApiKey=<at least 32 characters, e.g. from openssl rand -base64 48> (environment), restart, and sign in at the dashboard with it"
            : "on: sign in at the dashboard with the value of LlmProxy:Admin:ApiKey";
        Started(log, url, auth.Value.DevelopmentKey ?? "(none: LlmProxy:Auth:DevelopmentKey is empty)", auth.Value.DevelopmentTenantId, adminLine);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = """
        LLM Proxy (Development) is listening on {Url}
          OpenAI-compatible base URL: {Url}/v1    seed route: POST {Url}/api/llm-proxy
          development key (tenant '{Tenant}'): {DevelopmentKey}    e.g. curl {Url}/v1/models -H "Authorization: Bearer {DevelopmentKey}"
          dashboard: {Url}/usage    demo page: {Url}/_/demo#key=<a publishable key>
          admin API and dashboard: {AdminLine}
        """)]
    private static partial void Started(ILogger log, string url, string developmentKey, string tenant, string adminLine);
}
