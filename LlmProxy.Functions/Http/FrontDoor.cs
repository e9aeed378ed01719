using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;
using LlmProxy.Functions.RequestIds;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// What both chat front doors do, differing only in how they read the body: authenticate (before reading it),
/// read it within the size limit, parse it for the tenant the key acts for, honour Cache-Control, bound a publishable
/// key's call, run the pipeline.
/// </summary>
public static class FrontDoor
{
    /// <param name="publishableKeys">Given on the route web pages call, which alone accepts publishable keys.</param>
    public static async Task<IActionResult> HandleAsync(HttpRequest request, CallerAuthenticator authenticator, ProxyService proxy,
        long maxBodyBytes, Func<byte[], CallerIdentity, ProxyCall> parse, PublishableKeyGate? publishableKeys = null)
    {
        var aborted = request.HttpContext.RequestAborted;
        var caller = publishableKeys is null ? await authenticator.AuthenticateAsync(request) : await authenticator.AuthenticateBrowserCallAsync(request);
        if (publishableKeys is not null)
            await publishableKeys.CountAddressAsync(caller, request.HttpContext.Connection.RemoteIpAddress, request.Headers["X-Forwarded-For"].ToString(), aborted);
        var body = await RequestBody.ReadAsync(request, maxBodyBytes, aborted);
        var call = parse(body, caller).WithCacheControl(request) with { RequestId = RequestId.Of(request.HttpContext), KeyId = caller.KeyId };
        if (publishableKeys is not null) call = await publishableKeys.AdmitAsync(caller, call, aborted);
        var vendor = VendorTrace.Begin();
        try
        {
            return new ProxyOutcomeResult(await proxy.HandleAsync(call, aborted), call);
        }
        finally
        {
            // Set here rather than by the result: a vendor's refusal (an error answer) carries it too.
            if (vendor.RequestId is { } id) request.HttpContext.Response.Headers[RequestId.VendorHeader] = id;
        }
    }
}
