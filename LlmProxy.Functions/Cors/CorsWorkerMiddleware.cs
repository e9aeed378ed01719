using LlmProxy.Core.Cors;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace LlmProxy.Functions.Cors;

/// <summary>
/// The Functions host's CORS for HTTP-triggered functions: the same headers as <see cref="CorsMiddleware"/>, set on
/// the ASP.NET Core response before the function runs. Other triggers pass through untouched.
/// </summary>
public sealed class CorsWorkerMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http)
            CorsHeaders.ApplyToResponse(http, context.InstanceServices.GetRequiredService<CorsPolicy>());
        return next(context);
    }
}
