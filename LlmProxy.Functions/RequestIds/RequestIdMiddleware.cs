using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.RequestIds;

/// <summary>The standalone host's request ids: every answer, routed or not, carries <c>x-request-id</c>.</summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        RequestId.Assign(context);
        return next(context);
    }
}
