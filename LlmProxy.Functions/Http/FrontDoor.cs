using LlmProxy.Core.Auth;
using LlmProxy.Core.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// What both chat front doors do, differing only in how they read the body: authenticate (before reading it),
/// read it within the size limit, parse it for the key's tenant, honour Cache-Control, run the pipeline.
/// </summary>
public static class FrontDoor
{
    public static async Task<IActionResult> HandleAsync(HttpRequest request, CallerAuthenticator authenticator, ProxyService proxy,
        long maxBodyBytes, Func<byte[], string, ProxyCall> parse)
    {
        var aborted = request.HttpContext.RequestAborted;
        var caller = await authenticator.AuthenticateAsync(request);
        var body = await RequestBody.ReadAsync(request, maxBodyBytes, aborted);
        var call = parse(body, caller.TenantId).WithCacheControl(request);
        return new ProxyOutcomeResult(await proxy.HandleAsync(call, aborted));
    }
}
