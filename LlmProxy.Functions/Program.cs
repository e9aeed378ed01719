using LlmProxy.Core;
using LlmProxy.Functions.Standalone;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

if (args.Contains(StandaloneHost.Flag))
{
    await StandaloneHost.Build(args).RunAsync();
    return;
}

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddLlmProxyCore(builder.Configuration, HostKind.Functions);
await builder.Build().RunAsync();
