using LlmProxy.Core.Cors;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Cors;

/// <summary>The standalone host's CORS: adds the allowed origin's headers before the endpoint writes its response.</summary>
public sealed class CorsMiddleware(RequestDelegate next, CorsPolicy policy)
{
    public Task InvokeAsync(HttpContext context)
    {
        CorsHeaders.ApplyToResponse(context, policy);
        return next(context);
    }
}
