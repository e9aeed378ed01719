using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace LlmProxy.Functions.RequestIds;

/// <summary>The Functions host's request ids, as <see cref="RequestIdMiddleware"/> gives them; other triggers pass through.</summary>
public sealed class RequestIdWorkerMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http) RequestId.Assign(http);
        return next(context);
    }
}
