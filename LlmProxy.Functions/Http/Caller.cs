using LlmProxy.Core.Admin;
using LlmProxy.Core.Auth;
using LlmProxy.Core.Cors;
using LlmProxy.Core.Errors;
using LlmProxy.Core.Proxy;
using LlmProxy.Functions.Cors;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>Reads the caller's key headers for the tenant and admin checks.</summary>
public static class Caller
{
    /// <summary>Secret and platform keys (see <see cref="CallerAuthenticator.AuthenticateAsync(string?, string?, CancellationToken)"/>).</summary>
    public static Task<CallerIdentity> AuthenticateAsync(this CallerAuthenticator authenticator, HttpRequest request) =>
        WithKeyBoundCors(request, (authorization, apiKey) => authenticator.AuthenticateAsync(authorization, apiKey, request.HttpContext.RequestAborted));

    /// <summary>Secret keys, publishable keys from an origin they list, end-user tokens: the route a web page calls.</summary>
    public static Task<CallerIdentity> AuthenticateBrowserCallAsync(this CallerAuthenticator authenticator, HttpRequest request) =>
        WithKeyBoundCors(request, (authorization, apiKey) =>
            authenticator.AuthenticateBrowserCallAsync(authorization, apiKey, request.Headers[CallerAuthenticator.EndUserTokenHeader].FirstOrDefault(),
                request.Headers.Origin.FirstOrDefault(), request.HttpContext.RequestAborted));

    /// <summary>
    /// The CORS middleware answered from the configured origins before the key was known. A publishable key's call
    /// answers the request's origin only, once the key is found to list it; refused for its origin or its route, it
    /// grants no origin at all. (An unknown key's 401 keeps the configured answer: there is no key to bind it.) A platform
    /// key from a page is refused the same way.
    /// </summary>
    private static async Task<CallerIdentity> WithKeyBoundCors(HttpRequest request, Func<string?, string?, Task<CallerIdentity>> authenticate)
    {
        var response = request.HttpContext.Response;
        CallerIdentity caller;
        try
        {
            caller = await authenticate(request.Headers.Authorization.FirstOrDefault(), request.Headers["x-api-key"].FirstOrDefault()).ConfigureAwait(false);
            CallerAuthenticator.RefuseFromBrowser(caller, request.Headers.Origin.FirstOrDefault());
        }
        catch (ProxyException e) when (e.Type is ErrorTypes.OriginNotAllowed or ErrorTypes.PublishableKeyNotAllowed or ErrorTypes.PlatformKeyNotAllowed)
        {
            CorsHeaders.Withhold(response);
            throw;
        }
        if (caller.Publishable is not null) CorsHeaders.Write(response, CorsPolicy.KeyBoundHeaders(request.Headers.Origin.ToString()));
        return caller;
    }

    /// <summary>
    /// The admin key from <c>X-Admin-Key</c> (or else <c>Authorization: Bearer</c>), or the dashboard's session
    /// cookie with, on writes, its CSRF header. Returns who is calling, for the audit trail.
    /// </summary>
    public static Task<string> DemandAsync(this AdminGate gate, HttpRequest request) =>
        gate.DemandAsync(new AdminCredentials(AdminKey(request), request.Cookies[DashboardCookie.Name], request.Headers[AdminGate.CsrfHeader].FirstOrDefault(),
            IsWrite: !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method),
            request.HttpContext.Connection.RemoteIpAddress, ForwardedFor(request)), request.HttpContext.RequestAborted);

    /// <summary>The request's <c>X-Forwarded-For</c>, for the per-address limits (heeded only where the front is trusted).</summary>
    public static string ForwardedFor(HttpRequest request) => request.Headers["X-Forwarded-For"].ToString();

    /// <summary><c>Cache-Control: no-cache</c> (or <c>no-store</c>) on the request skips the response cache.</summary>
    public static ProxyCall WithCacheControl(this ProxyCall call, HttpRequest request) => SkipsCache(request) ? call with { NoCache = true } : call;

    public static bool SkipsCache(HttpRequest request)
    {
        var cacheControl = request.Headers.CacheControl.ToString();
        return cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase);
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
