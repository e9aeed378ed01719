using LlmProxy.Core;
using LlmProxy.Functions.Cors;
using LlmProxy.Functions.Functions;
using LlmProxy.Functions.RequestIds;
using LlmProxy.Functions.StaticAssets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlmProxy.Functions.Standalone;

/// <summary>
/// Serves the same function classes on Kestrel without the Functions host: HTTP routes come from their
/// <c>[HttpTrigger]</c> attributes, the usage queue is an in-process channel (or the Storage queue when
/// configured) and the timer runs as a hosted service.
/// </summary>
public static class StandaloneHost
{
    public const string Flag = "--standalone";
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != Flag).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        LoggingDefaults.AddTo(builder.Configuration);
        LocalSettings.AddTo(builder.Configuration, Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json"));
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args.Where(a => a != Flag).ToArray());
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);

        builder.Services.AddLlmProxyCore(builder.Configuration, HostKind.Standalone);
        builder.Services.AddSingleton<StaticAssetCatalog>();
        builder.Services.AddHostedService<StandaloneTimer>();
        builder.Services.AddHostedService<DevelopmentBanner>();
        // The slim builder leaves out the regex route constraint; UnknownRouteFunction's route uses it, as the Functions host allows.
        builder.Services.Configure<RouteOptions>(o => o.SetParameterPolicy<RegexInlineRouteConstraint>("regex"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<UnmatchedRequests>();
        app.UseMiddleware<CorsMiddleware>();
        HttpTriggerRoutes.Map(app, typeof(LlmProxyFunction).Assembly);
        return app;
    }
}
