using LlmProxy.Core;
using LlmProxy.Functions;
using LlmProxy.Functions.Cors;
using LlmProxy.Functions.RequestIds;
using LlmProxy.Functions.StaticAssets;
using LlmProxy.Functions.Standalone;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

if (args.Contains(StandaloneHost.Flag))
{
    Environment.ExitCode = await StandaloneRun.RunAsync(args);
    return;
}

var builder = FunctionsApplication.CreateBuilder(args);
LoggingDefaults.AddTo(builder.Configuration);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestIdWorkerMiddleware>();
builder.UseMiddleware<CorsWorkerMiddleware>();
builder.Services.AddLlmProxyCore(builder.Configuration, HostKind.Functions);
builder.Services.AddSingleton<StaticAssetCatalog>();
await builder.Build().RunAsync();
