using LlmProxy.Core.Auth;
using LlmProxy.Core.Auth.Publishable;
using LlmProxy.Core.Providers;
using LlmProxy.Core.Proxy;
using LlmProxy.Functions.RequestIds;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LlmProxy.Functions.Http;

/// <summary>
/// What the chat front doors do, differing only in how they read the body (and write the answer): authenticate (before
/// reading it), read it within the size limit, parse it for the tenant the key acts for (and end user), honour
/// Cache-Control, bound a publishable key's and an end-user token's call, run the pipeline.
/// </summary>
public static class FrontDoor
{
    /// <param name="publishableKeys">Given on the route web pages call, which alone accepts publishable keys and end-user tokens.</param>
    public static async Task<IActionResult> HandleAsync(HttpRequest request, CallerAuthenticator authenticator, ProxyService proxy,
        long maxBodyBytes, Func<byte[], CallerIdentity, ProxyCall> parse, PublishableKeyGate? publishableKeys = null)
    {
        var (outcome, call) = await RunAsync(request, authenticator, proxy, maxBodyBytes, parse, publishableKeys);
        return new ProxyOutcomeResult(outcome, call);
    }

    /// <summary>The pipeline's outcome and the call it answered, for a door that writes it in its own shape (the Anthropic-compatible one).</summary>
    public static async Task<(ProxyOutcome Outcome, ProxyCall Call)> RunAsync(HttpRequest request, CallerAuthenticator authenticator, ProxyService proxy,
        long maxBodyBytes, Func<byte[], CallerIdentity, ProxyCall> parse, PublishableKeyGate? publishableKeys = null)
    {
        var aborted = request.HttpContext.RequestAborted;
        var caller = publishableKeys is null ? await authenticator.AuthenticateAsync(request) : await authenticator.AuthenticateBrowserCallAsync(request);
        if (publishableKeys is not null)
            await publishableKeys.CountAddressAsync(caller, request.HttpContext.Connection.RemoteIpAddress, request.Headers["X-Forwarded-For"].ToString(), aborted);
        var body = await RequestBody.ReadAsync(request, maxBodyBytes, aborted);
        var call = parse(body, caller).WithCacheControl(request) with { RequestId = RequestId.Of(request.HttpContext), KeyId = caller.KeyId };
        if (publishableKeys is not null) call = await publishableKeys.AdmitAsync(caller, call, aborted);
        if (caller.EndUser is { } endUser) call = endUser.Bound(call);
        var vendor = VendorTrace.Begin();
        try
        {
            return (await proxy.HandleAsync(call, aborted), call);
        }
        finally
        {
            // Set here rather than by the result: a vendor's refusal (an error answer) carries it too.
            if (vendor.RequestId is { } id) request.HttpContext.Response.Headers[RequestId.VendorHeader] = id;
        }
    }
}
