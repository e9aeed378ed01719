using LlmProxy.Core.Admin;
using Microsoft.AspNetCore.Http;

namespace LlmProxy.Functions.Http;

/// <summary>
/// The dashboard's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
/// Secure whenever the request came over HTTPS (directly or per X-Forwarded-Proto), for the whole site (the dashboard calls <c>api/admin/...</c>).
/// </summary>
public static class DashboardCookie
{
    public const string Name = "llmproxy_admin";

    public static void Set(HttpResponse response, AdminSession session) =>
        response.Cookies.Append(Name, session.Token, Options(response.HttpContext.Request, session.ExpiresAt));

    public static void Clear(HttpResponse response) =>
        response.Cookies.Append(Name, "", Options(response.HttpContext.Request, DateTimeOffset.UnixEpoch));

    private static CookieOptions Options(HttpRequest request, DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        // Behind the Functions front end TLS ends before the worker, which then sees plain HTTP.
        Secure = request.IsHttps || string.Equals(request.Headers["X-Forwarded-Proto"], "https", StringComparison.OrdinalIgnoreCase),
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
