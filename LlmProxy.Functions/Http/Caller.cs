using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>Reads the caller's key headers for the tenant and admin checks.</summary>
public static class Caller
{
    public static Task<CallerIdentity> AuthenticateAsync(this CallerAuthenticator authenticator, HttpRequest request) =>
        authenticator.AuthenticateAsync(request.Headers.Authorization.FirstOrDefault(), request.Headers["x-api-key"].FirstOrDefault(),
            request.HttpContext.RequestAborted);

    /// <summary>
    /// The admin key from <c>X-Admin-Key</c> (or else <c>Authorization: Bearer</c>), or the dashboard's session
    /// cookie with, on writes, its CSRF header. Returns who is calling, for the audit trail.
    /// </summary>
    public static string Demand(this AdminGate gate, HttpRequest request) =>
        gate.Demand(AdminKey(request), request.Cookies[DashboardCookie.Name], request.Headers[AdminGate.CsrfHeader].FirstOrDefault(),
            isWrite: !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method));

    /// <summary><c>Cache-Control: no-cache</c> (or <c>no-store</c>) on the request skips the response cache.</summary>
    public static ProxyCall WithCacheControl(this ProxyCall call, HttpRequest request)
    {
        var cacheControl = request.Headers.CacheControl.ToString();
        var bypass = cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase);
        return bypass ? call with { NoCache = true } : call;
    }

    /// <summary>The admin key from <c>X-Admin-Key</c>, or else from <c>Authorization: Bearer</c>.</summary>
    public static string? AdminKey(HttpRequest request)
    {
        var presented = request.Headers[AdminKeyCheck.Header].FirstOrDefault();
        if (string.IsNullOrEmpty(presented) && request.Headers.Authorization.FirstOrDefault() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            presented = authorization[7..].Trim();
        return presented;
    }
}
