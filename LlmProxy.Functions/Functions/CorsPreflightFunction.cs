using LlmProxy.Core.Cors;
using LlmProxy.Functions.Cors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace LlmProxy.Functions.Functions;

/// <summary>
/// Answers every CORS preflight (<c>OPTIONS</c> on any route) from <c>LlmProxy:Cors:AllowedOrigins</c>. A function
/// rather than middleware alone because the Functions host routes a request to the worker only when some function
/// accepts its method and path.
/// </summary>
public sealed class CorsPreflightFunction(CorsPolicy policy)
{
    [Function("CorsPreflight")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "options", Route = "{*path}")] HttpRequest request)
    {
        CorsHeaders.Write(request.HttpContext.Response, policy.PreflightHeaders(
            request.Headers.Origin, request.Headers.AccessControlRequestMethod, request.Headers.AccessControlRequestHeaders));
        return Task.FromResult<IActionResult>(new StatusCodeResult(StatusCodes.Status204NoContent));
    }
}
